/**
 * Browser tests (`npm run test:e2e -w web`): the real local host + the built web app in Debian's
 * Chromium. Builds a flow from an example, checks in-place validation, previews one row, uploads a
 * 20-row CSV with one failing row, maps a renamed column, runs at concurrency 3, watches progress
 * reach the end, retries the failed row, downloads CSV and JSONL and checks their contents.
 * Screenshots of every screen go to web/test/e2e/screenshots/. Exits non-zero on any failure.
 */
import fs from "node:fs";
import { parseCsv } from "../../../core/src/csv/read";
import { api, SHOTS, shot, type Ctx } from "./context";
import { buildCsv, FAILING_ROW, inputColumnsOf, ROWS, type CsvFixture, type Example } from "./fixtures";
import { buildIfStale, CHROMIUM, launchChromium, startLocalHost } from "./harness";
import { largeBatchScenario } from "./scenario-large";
import { mediaScenario } from "./scenario-media";
import { scratchScenario } from "./scenario-scratch";
import { firebaseScenario } from "./scenario-firebase";
import { inputsScenario } from "./scenario-inputs";
import { slowBatchScenario } from "./scenario-controls";
import { budgetScenario } from "./scenario-budget";
import { editorFixesScenario } from "./scenario-editor-fixes";
import { liveScenario } from "./scenario-live";
import { settingsScenario } from "./scenario-settings";
import { exportScenario } from "./scenario-export";
import { lifeScenario } from "./scenario-life";
import { rerunScenario } from "./scenario-rerun";
import { snapScenario } from "./scenario-snap";
import { web100kScenario } from "./scenario-web100k";
import { economyScenario } from "./scenario-economy";
import { assert, createRunner, type StepRunner } from "./steps";

const EXAMPLE_ID = process.env.FLOWCRAFT_E2E_EXAMPLE ?? "product-descriptions";
const CONCURRENCY = 3;
const PLANNED_STEPS = 66;

/**
 * The scenarios that follow the main walk-through, by name. `FLOWCRAFT_E2E_ONLY=live,settings` runs
 * the first two steps (app loaded, example drawn) and then only the named scenarios, for quick runs
 * while working on one screen; the full run (no filter) is what `npm test` and CI use.
 */
const SCENARIOS: Record<string, (run: StepRunner, ctx: Ctx) => Promise<void>> = {
  "editor-fixes": editorFixesScenario,
  live: liveScenario,
  settings: settingsScenario,
  controls: slowBatchScenario,
  budget: budgetScenario,
  large: largeBatchScenario,
  media: mediaScenario,
  export: exportScenario,
  scratch: scratchScenario,
  inputs: inputsScenario,
  life: lifeScenario,
  firebase: firebaseScenario,
  rerun: rerunScenario,
  snap: snapScenario,
  web100k: web100kScenario,
  economy: economyScenario,
};
const ONLY = (process.env.FLOWCRAFT_E2E_ONLY ?? "")
  .split(",")
  .map((s) => s.trim())
  .filter((s) => s !== "");

/** Largest number of rows whose [startedAt, finishedAt) intervals overlap at one moment. */
function maxOverlap(results: Array<{ startedAt: number; finishedAt: number }>): number {
  const edges = results
    .flatMap((r) => [
      { t: r.startedAt, d: 1 },
      { t: r.finishedAt, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let cur = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (cur += e.d));
  return max;
}

async function main(): Promise<number> {
  if (!fs.existsSync(CHROMIUM) && !process.env.CI) {
    // Outside CI a missing browser is a notice, not a failure (CI installs it, see .ci/run).
    console.log(`browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    console.log("0 passed, 0 failed");
    return 0;
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  buildIfStale("local", "web");
  const run = createRunner(PLANNED_STEPS);
  const ctx = {} as Ctx;
  ctx.pageErrors = [];
  try {
    ctx.server = await startLocalHost({ latencyMs: 250 });
    console.log(`local host at ${ctx.server.baseUrl}`);
    ctx.browser = await launchChromium();
    ctx.page = ctx.browser.context.pages()[0] ?? (await ctx.browser.context.newPage());
    ctx.page.setDefaultTimeout(20_000);
    ctx.page.on("pageerror", (err) => ctx.pageErrors.push(err.message));
    await scenario(run, ctx);
  } catch (err) {
    console.error(`setup failed: ${err instanceof Error ? err.message : String(err)}`);
    if (ctx.server) console.error(`server output:\n${ctx.server.log()}`);
    await ctx.browser?.close();
    await ctx.server?.stop();
    console.log(`0 passed, 1 failed`);
    return 1;
  }
  await ctx.browser.close();
  await ctx.server.stop();
  const { passed, failed, skipped } = run.summary();
  if (failed > 0) console.error(`server output (last 40 lines):\n${ctx.server.log().split("\n").slice(-40).join("\n")}`);
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} not run` : ""}`);
  return failed > 0 || (ONLY.length === 0 && passed < PLANNED_STEPS) ? 1 : 0;
}

async function scenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  await run.step("the app loads with the example picker on an empty canvas", async () => {
    const { examples } = await api<{ examples: Example[] }>(server, "/api/examples");
    const example = examples.find((e) => e.id === EXAMPLE_ID);
    assert(example, `example ${EXAMPLE_ID} not served by /api/examples (have: ${examples.map((e) => e.id).join(", ")})`);
    ctx.example = example;
    await page.goto(server.baseUrl + "/");
    await page.getByRole("button", { name: `Start from example: ${example.name}` }).waitFor();
    await page.getByText("offline provider", { exact: true }).waitFor();
    await shot(page, "01-editor-empty");
  });

  await run.step("loading the example draws its nodes and the flow is valid", async () => {
    await page.getByRole("toolbar", { name: "Flow tools" }).getByRole("combobox").selectOption(ctx.example.id);
    await page.getByRole("button", { name: "Load example" }).click();
    for (const node of ctx.example.flow.nodes) await page.getByTestId(`node-${node.id}`).waitFor();
    await page.getByText("✓ The flow is valid.").waitFor();
    await shot(page, "02-editor-example");
  });

  if (ONLY.length > 0) {
    const unknown = ONLY.filter((name) => !(name in SCENARIOS));
    if (unknown.length > 0) throw new Error(`FLOWCRAFT_E2E_ONLY names unknown scenarios: ${unknown.join(", ")} (have: ${Object.keys(SCENARIOS).join(", ")})`);
    for (const name of ONLY) await SCENARIOS[name]!(run, ctx);
    return;
  }

  await run.step("the flow exports as JSON and imports back; a file that is not a flow is refused", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    const exported = JSON.parse(fs.readFileSync(await download.path(), "utf8")) as {
      name?: string;
      nodes: Array<{ id: string; selected?: unknown }>;
      edges: unknown[];
    };
    assert(exported.name === ctx.example.name, `the export is named ${JSON.stringify(exported.name)}, not after the flow`);
    assert(
      exported.nodes.length === ctx.example.flow.nodes.length && exported.edges.length === ctx.example.flow.edges.length,
      "exported flow differs from the example",
    );
    assert(
      exported.nodes.every((n) => n.selected === undefined),
      "export leaks editor state (selected)",
    );
    const input = page.getByLabel("Import flow JSON file");
    await input.setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from('{"foo": 1}') });
    await page.getByRole("alert").filter({ hasText: "Could not load the flow" }).waitFor();
    await input.setInputFiles({ name: "round-trip.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(exported)) });
    for (const node of exported.nodes) await page.getByTestId(`node-${node.id}`).waitFor();
    await page.getByText("✓ The flow is valid.").waitFor();
    assert((await page.getByLabel("Flow name").inputValue()) === ctx.example.name, "the imported flow did not keep its name");
    const unnamed = { nodes: exported.nodes, edges: exported.edges };
    await input.setInputFiles({ name: "no-name.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(unnamed)) });
    await page.waitForFunction(() => (document.querySelector<HTMLInputElement>("aside input[type=text]")?.value ?? "") === "no-name");
    // Back to the example itself, so later steps have its sample CSV for the preview row.
    await page.getByRole("button", { name: "Load example" }).click();
    await page.waitForFunction((name) => (document.querySelector<HTMLInputElement>("aside input[type=text]")?.value ?? "") === name, ctx.example.name);
  });

  await run.step("a new text node without a prompt is flagged on the node and its field, and blocks running", async () => {
    await page.getByRole("button", { name: "Add text node" }).click();
    const node = page.getByTestId("node-text");
    await node.locator(".issues").waitFor();
    assert((await node.getAttribute("class"))?.includes("invalid"), "new node is not marked invalid");
    const prompt = page.getByLabel("Prompt", { exact: true });
    await prompt.waitFor();
    assert((await prompt.getAttribute("aria-invalid")) === "true", "prompt field is not marked invalid");
    await page.locator(".field-error", { hasText: "prompt is required" }).first().waitFor();
    assert(await page.getByRole("button", { name: "Run batch…" }).isDisabled(), "Run batch is enabled for an invalid flow");
    await shot(page, "03-editor-validation");
    await page.getByRole("button", { name: "Delete node" }).click();
    await page.getByText("✓ The flow is valid.").waitFor();
  });

  await run.step("a node opened from the node list with the keyboard flags an out-of-range temperature on its field", async () => {
    const textNode = ctx.example.flow.nodes.find((n) => n.type === "text");
    assert(textNode, "the example has no text node");
    await page.getByRole("button", { name: `Edit node ${textNode.id}` }).focus();
    await page.keyboard.press("Enter");
    const temperature = page.getByLabel("Temperature (0–2)");
    const before = await temperature.inputValue();
    await temperature.fill("5");
    await page.locator(".field-error").filter({ hasText: /2/ }).first().waitFor();
    assert((await temperature.getAttribute("aria-invalid")) === "true", "temperature field is not marked invalid");
    await page.getByTestId(`node-${textNode.id}`).locator(".issues").waitFor();
    await shot(page, "03b-editor-field-error");
    await temperature.fill(before);
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByText("✓ The flow is valid.").waitFor();
  });

  await run.step("preview runs the flow on one row and shows its outputs", async () => {
    await page.getByRole("button", { name: "Preview one row" }).click();
    const dialog = page.getByRole("dialog", { name: "Preview on one row" });
    await dialog.getByRole("button", { name: "Run preview" }).click();
    const result = dialog.getByRole("region", { name: "Preview result" });
    await result.waitFor();
    await result.locator(".status.succeeded").first().waitFor();
    const outputs = await result.locator("pre").count();
    assert(outputs >= 1, "preview shows no output");
    await shot(page, "04-preview");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
  });

  let fixture: CsvFixture = { csv: "", columns: [], rows: [], renamed: "", original: "" };
  await run.step("the batch dialog refuses a CSV column named like an output, then maps a renamed column and passes the row checks", async () => {
    fixture = buildCsv(ctx.example, { rows: ROWS, rename: true, markerFor: (i) => (i === FAILING_ROW ? "[[fail-first]]" : null) });
    await page.getByRole("button", { name: "Run batch…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    // First a CSV with a column named like one of the flow's outputs: the server would refuse it.
    const output = ctx.example.flow.nodes.find((n) => n.type === "output")?.data.name as string;
    const clash = buildCsv(ctx.example, { rows: 2, rename: false, markerFor: () => null });
    const clashCsv = clash.csv.replace(/\r\n/g, `,x\r\n`).replace(/,x\r\n/, `,${output}\r\n`);
    await dialog.getByLabel(/CSV file/).setInputFiles({ name: "clash.csv", mimeType: "text/csv", buffer: Buffer.from(clashCsv) });
    await dialog
      .getByRole("alert")
      .filter({ hasText: "The flow does not fit this CSV" })
      .filter({ hasText: `"${output}"` })
      .waitFor();
    assert(await dialog.getByRole("button", { name: /^Run/ }).isDisabled(), "Run is enabled although an output name collides with a CSV column");
    await dialog.getByLabel(/CSV file/).setInputFiles({ name: "e2e-20-rows.csv", mimeType: "text/csv", buffer: Buffer.from(fixture.csv) });
    await dialog.getByText(`e2e-20-rows.csv: ${ROWS} rows`).waitFor();
    const mapping = dialog.getByLabel(`Flow input ${fixture.original}`);
    assert((await mapping.inputValue()) === "", `"${fixture.original}" was mapped before choosing (to ${await mapping.inputValue()})`);
    assert(await dialog.getByRole("button", { name: /^Run/ }).isDisabled(), "Run is enabled with an unmapped input");
    await mapping.selectOption(fixture.renamed);
    await dialog.getByText("✓ Every row passed the checks.").waitFor();
    const slider = dialog.getByLabel("Concurrency");
    assert((await slider.inputValue()) === "5", `default concurrency is ${await slider.inputValue()}, not 5`);
    await slider.fill(String(CONCURRENCY));
    await dialog
      .locator("output")
      .filter({ hasText: String(CONCURRENCY) })
      .waitFor();
    await dialog.getByRole("button", { name: "Estimate cost and time" }).click();
    const cost = dialog.getByTestId("estimate-cost");
    await cost.waitFor();
    assert(/^\$\d/.test((await cost.innerText()).trim()), `estimated cost shows ${await cost.innerText()}`);
    assert(/\$[\d.]+ – \$[\d.]+/.test(await dialog.getByTestId("estimate-cost-range").innerText()), "the estimate has no low–high cost range");
    await dialog.getByTestId("estimate-time").waitFor();
    const listed = await api<{ jobs: unknown[] }>(server, "/api/batches");
    assert(listed.jobs.length === 0, "estimating created a batch");
    await shot(page, "05-batch-setup");
  });

  await run.step("running creates the batch and the view shows live progress", async () => {
    await page.getByRole("button", { name: `Run ${ROWS} rows` }).click();
    await page.waitForURL(/#\/batches\/[^/]+$/);
    ctx.jobId = decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
    await page.getByTestId("batch-name").waitFor();
    await page.getByRole("progressbar", { name: "Rows finished" }).waitFor();
    await page.locator(".results-row .status.succeeded").first().waitFor();
    await shot(page, "06-batch-running");
    const { job } = await api<{ job: { concurrency: number; totalRows: number; columns: string[] } }>(server, `/api/batches/${ctx.jobId}`);
    assert(job.concurrency === CONCURRENCY && job.totalRows === ROWS, `job has concurrency ${job.concurrency}, ${job.totalRows} rows`);
    assert(job.columns.includes(fixture.original) && !job.columns.includes(fixture.renamed), `mapping did not rename the column: ${job.columns.join(", ")}`);
  });

  await run.step("progress reaches the end with one failed row, never more than 3 rows at once", async () => {
    await page
      .getByTestId("stat-done")
      .filter({ hasText: `${ROWS} / ${ROWS}` })
      .waitFor({ timeout: 90_000 });
    await page.getByTestId("batch-status").getByText("completed").waitFor();
    assert((await page.getByTestId("stat-failed").innerText()).trim() === "1", "failed count is not 1");
    const { results } = await api<{ results: Array<{ rowIndex: number; status: string; startedAt: number; finishedAt: number }> }>(
      server,
      `/api/batches/${ctx.jobId}/results?limit=100`,
    );
    const failed = results.filter((r) => r.status === "failed").map((r) => r.rowIndex);
    assert(failed.length === 1 && failed[0] === FAILING_ROW, `failed rows: ${failed.join(", ")}`);
    const overlap = maxOverlap(results);
    assert(overlap <= CONCURRENCY && overlap >= 2, `rows in flight at once peaked at ${overlap}; expected 2..${CONCURRENCY}`);
    await shot(page, "07-batch-finished");
  });

  await run.step("the failed row shows its error in the table and its failed node in the details", async () => {
    await page.getByLabel("Show rows").selectOption("failed");
    const row = page.locator(`.results-row[data-row="${FAILING_ROW}"]`);
    await row.locator(".error-text").waitFor();
    await shot(page, "08-batch-failed-rows");
    await row.getByRole("button", { name: `Details of row ${FAILING_ROW + 1}` }).click();
    const details = page.getByRole("dialog", { name: `Row ${FAILING_ROW + 1}` });
    const trace = details.getByRole("table", { name: "Per-node trace" });
    await trace.getByRole("row").filter({ hasText: "bad_request" }).locator(".status.failed").waitFor();
    await shot(page, "08b-row-details");
    await details.getByRole("button", { name: "Close", exact: true }).click();
    await page.getByLabel("Show rows").selectOption("all");
  });

  await run.step("retrying the failed row makes every row succeed", async () => {
    await page.getByRole("button", { name: /Retry failed rows \(1\)/ }).click();
    await page
      .getByTestId("stat-succeeded")
      .filter({ hasText: String(ROWS) })
      .waitFor({ timeout: 60_000 });
    await page.getByTestId("batch-status").getByText("completed").waitFor();
    assert((await page.getByTestId("stat-failed").innerText()).trim() === "0", "failed count is not 0 after retry");
    await page.locator(`.results-row[data-row="${FAILING_ROW}"] .status.succeeded`).waitFor();
    await shot(page, "09-batch-retried");
  });

  await run.step("the CSV download has 20 succeeded rows with outputs filled", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download results as CSV" }).click()]);
    const text = fs.readFileSync(await download.path(), "utf8");
    const { columns, rows } = parseCsv(text);
    const outputs = ctx.example.flow.nodes.filter((n) => n.type === "output").map((n) => String(n.data.name));
    for (const c of [...inputColumnsOf(ctx.example), ...outputs, "status"]) assert(columns.includes(c), `CSV lacks column ${c}: ${columns.join(", ")}`);
    assert(rows.length === ROWS, `CSV has ${rows.length} rows`);
    rows.forEach((row, i) => {
      assert(row.status === "succeeded", `row ${i + 1} status ${row.status}`);
      assert(row[fixture.original]?.startsWith(`${fixture.original} value ${i + 1}`), `row ${i + 1} input is ${row[fixture.original]}`);
      for (const o of outputs) assert((row[o] ?? "").trim() !== "", `row ${i + 1} has an empty ${o}`);
    });
  });

  await run.step("the JSONL download has one succeeded object per row", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download results as JSONL" }).click()]);
    const lines = fs
      .readFileSync(await download.path(), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    assert(lines.length === ROWS, `JSONL has ${lines.length} lines`);
    const statuses = lines.map((l) => (JSON.parse(l) as { status: string }).status);
    assert(
      statuses.every((s) => s === "succeeded"),
      `JSONL statuses: ${[...new Set(statuses)].join(", ")}`,
    );
  });

  await run.step("the batch list shows the finished batch", async () => {
    await page.getByRole("link", { name: "Batches", exact: true }).click();
    const table = page.getByRole("table", { name: "Past batches" });
    await table.waitFor();
    await table.getByRole("row").filter({ hasText: "e2e-20-rows.csv" }).getByText("completed").waitFor();
    await shot(page, "10-batch-list");
  });

  for (const runScenario of Object.values(SCENARIOS)) await runScenario(run, ctx);

  await run.step("no uncaught errors happened in the page", async () => {
    assert(ctx.pageErrors.length === 0, `uncaught page errors: ${ctx.pageErrors.join(" | ")}`);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);

/**
 * Browser test scenario for the economy mode: the run dialog disables economy for a flow with an
 * image step (naming it), states the trade-off for a text flow and shows the realtime and economy
 * prices side by side; a batch run in economy mode is an economy job. The layer panel is checked
 * on that job's view served with a fixture `economy` progress (Playwright routes for the job, its
 * event stream and its results), because the host does not write provider job progress for it:
 * per-layer states, request counts, a ticking "waiting for", done marks, the realtime price, rows
 * "waiting on provider batch job"; and at phone width (390×844) nothing overflows. In Firebase mode
 * (emulators faked by routes, as in scenario-firebase.ts) the estimate and the mode go through the
 * `estimateBatch` and `createBatch` callables.
 */
import type { Dialog, Page, Route } from "playwright-core";
import { api, shot, type Ctx } from "./context";
import { installFirebaseFakes } from "./firebase-fakes";
import { buildFirebaseBundle, servePreview, type StaticServer } from "./static-server";
import { buildCsv, type Example } from "./fixtures";
import { until } from "./scenario-live";
import { assert, type StepRunner } from "./steps";

const ROWS = 4;
const IMAGE_EXAMPLE = "social-posts";

interface JobJson {
  id: string;
  mode: string;
  status: string;
  costUsd: number;
  [key: string]: unknown;
}

const FB_JOB_ID = "fb-economy-job";

/** What the faked `estimateBatch` callable answers: economy at half the realtime price. */
function fakeEstimate(rows: number): unknown {
  const range = (x: number) => ({ low: x / 2, expected: x, high: x * 2 });
  return {
    rows,
    calls: rows * 2,
    inputTokens: rows * 100,
    outputTokens: range(rows * 50),
    costUsd: range(0.004),
    economyCostUsd: range(0.002),
    durationMs: range(30_000),
    sampled: false,
    sampleRows: rows,
    tokenCounter: "approximate",
    priceTableVersion: "e2e",
    perNode: [],
  };
}

/** What the faked `createBatch` callable answers: the economy job, with a first layer submitted. */
function fakeEconomyJob(data: { flow: unknown; columns: string[]; rows: unknown[]; concurrency: number; mode?: string }): unknown {
  const now = Date.now();
  return {
    id: FB_JOB_ID,
    ownerId: "e2e-anonymous-user",
    name: "economy on Firebase",
    status: "processing",
    cancelRequested: false,
    totalRows: data.rows.length,
    completedRows: 0,
    failedRows: 0,
    skippedRows: 0,
    concurrency: data.concurrency,
    mode: data.mode ?? "realtime",
    createdAt: now,
    startedAt: now,
    finishedAt: null,
    updatedAt: now,
    flowConfig: data.flow,
    columns: data.columns,
    outputColumns: ["title"],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
    pass: 0,
    error: null,
    economy: {
      layers: [{ layer: 0, providerJobs: 1, requests: data.rows.length, states: { pending: 1 }, waitingSince: now - 30_000, done: false }],
      realtimeCostUsd: 0,
      updatedAt: now,
    },
  };
}

const usd = (text: string): number => Number(text.trim().replace(/^\$/, ""));

async function loadExample(page: Page, example: Example): Promise<void> {
  const accept = (d: Dialog): void => void d.accept();
  page.on("dialog", accept);
  try {
    await page.getByRole("link", { name: "Flow editor" }).click();
    await page.getByRole("toolbar", { name: "Flow tools" }).getByRole("combobox").selectOption(example.id);
    await page.getByRole("button", { name: "Load example" }).click();
    for (const node of example.flow.nodes) await page.getByTestId(`node-${node.id}`).waitFor();
  } finally {
    page.off("dialog", accept);
  }
}

/** The page's layout is no wider than the viewport, and every box of `testIds` fits in it. */
async function assertFits(page: Page, width: number, testIds: string[]): Promise<void> {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(scroll <= width, `the page is ${scroll} px wide at a ${width} px viewport`);
  for (const id of testIds) {
    for (const box of await Promise.all((await page.getByTestId(id).all()).map((l) => l.boundingBox()))) {
      assert(box && box.x >= 0 && box.x + box.width <= width + 1, `${id} overflows a ${width} px screen (${JSON.stringify(box)})`);
    }
  }
}

/** The real job's view as a running economy job with two layers: the first settled, the second waiting. */
function fixtureJob(job: JobJson, now: number): JobJson {
  return {
    ...job,
    status: "processing",
    finishedAt: null,
    completedRows: 2,
    failedRows: 0,
    skippedRows: 0,
    updatedAt: now,
    economy: {
      layers: [
        { layer: 0, providerJobs: 1, requests: ROWS, states: { succeeded: 1 }, waitingSince: null, done: true },
        // Waited 3 min 57 s when served: the panel ticks to "waiting for 4 min" a few seconds later.
        { layer: 1, providerJobs: 2, requests: ROWS, states: { running: 1, pending: 1 }, waitingSince: now - 237_000, done: false },
      ],
      realtimeCostUsd: Math.max(job.costUsd, 0.0001) * 2,
      updatedAt: now,
    },
  };
}

export async function economyScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  let jobId = "";

  await run.step("economy mode for a flow with an image step names the step that stays realtime", async () => {
    const { examples } = await api<{ examples: Example[] }>(server, "/api/examples");
    const imageExample = examples.find((e) => e.id === IMAGE_EXAMPLE);
    assert(imageExample, `example ${IMAGE_EXAMPLE} is not served`);
    const imageNode = imageExample.flow.nodes.find((n) => n.type === "image");
    assert(imageNode, `example ${IMAGE_EXAMPLE} has no image step`);
    await loadExample(page, imageExample);
    await page.getByRole("button", { name: "Run batch…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    const economy = dialog.getByRole("radio", { name: /^Economy/ });
    assert(!(await economy.isDisabled()), "economy cannot be chosen for a flow with a text step and an image step");
    assert(await dialog.getByRole("radio", { name: /^Realtime/ }).isChecked(), "realtime is not the default");
    const note = await dialog.getByTestId("economy-realtime-steps").innerText();
    assert(note.includes(`${imageNode.id} (image)`), `the note does not name the image step as realtime: ${note}`);
    await shot(page, "economy-01-realtime-steps");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await loadExample(page, ctx.example);
  });

  await run.step("economy mode states its trade-off and the estimate shows both prices side by side", async () => {
    const fixture = buildCsv(ctx.example, { rows: ROWS, rename: false, markerFor: () => null });
    await page.getByRole("button", { name: "Run batch…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    await dialog.getByLabel(/CSV file/).setInputFiles({ name: "economy.csv", mimeType: "text/csv", buffer: Buffer.from(fixture.csv) });
    await dialog.getByText("✓ Every row passed the checks.").waitFor();
    await dialog.getByRole("radio", { name: /^Economy/ }).check();
    const tradeOff = await dialog.getByTestId("economy-trade-off").innerText();
    for (const part of ["50% cheaper", "up to 24 h", "layer by layer"]) assert(tradeOff.includes(part), `the trade-off does not say "${part}": ${tradeOff}`);
    await dialog.getByRole("button", { name: "Estimate cost and time" }).click();
    const realtime = usd(await dialog.getByTestId("estimate-cost").innerText());
    const economy = usd(await dialog.getByTestId("estimate-economy-cost").innerText());
    assert(realtime > 0 && economy > 0 && economy < realtime, `realtime ${realtime} and economy ${economy} are not both shown with economy cheaper`);
    await dialog.getByTestId("estimate-economy-time").getByText("up to 24 h").waitFor();
    await shot(page, "economy-02-dialog");
  });

  await run.step("running in economy mode creates an economy batch, marked on its page", async () => {
    await page
      .getByRole("dialog", { name: "Run the flow over a CSV" })
      .getByRole("button", { name: `Run ${ROWS} rows` })
      .click();
    await page.waitForURL(/#\/batches\/[^/]+$/);
    jobId = decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
    await page.getByTestId("batch-mode").getByText("economy mode").waitFor();
    const { job } = await api<{ job: JobJson }>(server, `/api/batches/${jobId}`);
    assert(job.mode === "economy", `the batch was created in ${job.mode} mode`);
    await until("the economy batch to end", async () =>
      ["completed", "failed"].includes((await api<{ job: JobJson }>(server, `/api/batches/${jobId}`)).job.status),
    );
  });

  const routes: Array<[(url: URL) => boolean, (route: Route) => Promise<void>]> = [];
  await run.step("the layer panel shows each layer's states, requests, a ticking wait, done marks and the realtime price (fixture job view)", async () => {
    const { job } = await api<{ job: JobJson }>(server, `/api/batches/${jobId}`);
    const view = fixtureJob(job, Date.now());
    const base = `/api/batches/${encodeURIComponent(jobId)}`;
    routes.push(
      [(u) => u.pathname === base, (r) => r.fulfill({ json: { job: view } })],
      // One job event; a long retry keeps the browser from reconnecting during the step.
      [
        (u) => u.pathname === `${base}/events`,
        (r) => r.fulfill({ contentType: "text/event-stream", body: `retry: 600000\n\nid: 1\nevent: job\ndata: ${JSON.stringify(view)}\n\n` }),
      ],
      [
        (u) => u.pathname === `${base}/results`,
        async (r) => {
          const real = (await (await r.fetch()).json()) as { results: Array<{ rowIndex: number }>; nextCursor: string | null };
          await r.fulfill({ json: { results: real.results.filter((x) => x.rowIndex < 2), nextCursor: null } });
        },
      ],
    );
    for (const [match, handler] of routes) await page.route(match, handler);
    await page.reload();
    const panel = page.getByRole("region", { name: "Economy progress" });
    await panel.waitFor();
    const first = panel.getByTestId("economy-layer-0");
    await first.getByTestId("layer-done").getByText("✓ done").waitFor();
    await first.getByText("1 succeeded").waitFor();
    await first.getByText(`1 provider job · ${ROWS} requests`).waitFor();
    const second = panel.getByTestId("economy-layer-1");
    await second.getByText("1 pending").waitFor();
    await second.getByText("1 running").waitFor();
    await second.getByText(`2 provider jobs · ${ROWS} requests`).waitFor();
    await second.getByTestId("layer-waiting").getByText("waiting for 3 min").waitFor();
    assert((await second.getByTestId("layer-done").count()) === 0, "the waiting layer is marked done");
    await second.getByTestId("layer-waiting").getByText("waiting for 4 min").waitFor({ timeout: 15_000 });
    await panel
      .getByTestId("economy-cost")
      .getByText(/realtime would have cost \$/)
      .waitFor();
    await page.getByTestId("stat-time-left").getByText("up to 24 h").waitFor();
    await page.locator(".results-row .status", { hasText: "waiting on provider batch job" }).first().waitFor();
    assert((await page.locator(".results-row .status.pending").count()) === 0, "a row of the economy job shows pending instead of waiting on the provider");
    await shot(page, "economy-03-layer-panel");
  });

  await run.step("the batch view with the layer panel fits a phone screen (390×844)", async () => {
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole("region", { name: "Economy progress" }).scrollIntoViewIfNeeded();
      await assertFits(page, 390, ["economy-panel", "economy-layer-0", "economy-layer-1", "economy-cost", "layer-waiting"]);
      await shot(page, "economy-04-layer-panel-phone");
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
      for (const [match, handler] of routes) await page.unroute(match, handler);
    }
  });

  await economyFirebaseStep(run, ctx);
}

/** Firebase mode: the dialog's estimate and mode go through the callables, and the returned economy job shows its mark and panel. */
export async function economyFirebaseStep(run: StepRunner, ctx: Ctx): Promise<void> {
  await run.step("Firebase mode: both prices come from estimateBatch and createBatch gets mode economy", async () => {
    let server: StaticServer | null = null;
    const page = await ctx.browser.context.newPage();
    page.setDefaultTimeout(20_000);
    try {
      const fakes = await installFirebaseFakes(page, {
        estimateBatch: (data) => ({
          estimate: fakeEstimate((data as { totalRows?: number; rows: unknown[] }).totalRows ?? (data as { rows: unknown[] }).rows.length),
        }),
        createBatch: (data) => ({ job: fakeEconomyJob(data as Parameters<typeof fakeEconomyJob>[0]) }),
      });
      server = await servePreview(buildFirebaseBundle());
      await page.goto(server.baseUrl + "/");
      await page.getByRole("button", { name: `Start from example: ${ctx.example.name}` }).click();
      await page.getByText("✓ The flow is valid.").waitFor();
      await page.getByRole("button", { name: "Run batch…" }).click();
      const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
      await dialog.getByRole("button", { name: "Use the example's sample CSV" }).click();
      await dialog.getByText("✓ Every row passed the checks.").waitFor();
      await dialog.getByRole("radio", { name: /^Economy/ }).check();
      await dialog.getByRole("button", { name: "Estimate cost and time" }).click();
      await dialog.getByTestId("estimate-cost").getByText("$0.004").waitFor();
      await dialog.getByTestId("estimate-economy-cost").getByText("$0.002").waitFor();
      await dialog.getByRole("button", { name: /^Run \d+ rows?$/ }).click();
      await page.waitForURL(new RegExp(`#/batches/${FB_JOB_ID}$`));
      const data = fakes.calls.find((c) => c.name === "createBatch")?.data as { mode?: unknown } | undefined;
      assert(data?.mode === "economy", `createBatch got mode ${JSON.stringify(data?.mode)}`);
      // The job the callable answered (kept until Firestore reports; Firestore is not faked here).
      await page.getByTestId("batch-mode").getByText("economy mode").waitFor();
      await page.getByRole("region", { name: "Economy progress" }).getByTestId("economy-layer-0").getByText("1 pending").waitFor();
      await shot(page, "economy-05-firebase");
    } finally {
      await page.close();
      await server?.stop();
    }
  });
}

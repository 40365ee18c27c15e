/** Browser test scenario: a batch of slow rows whose concurrency changes mid-run, downloaded mid-run, paused and resumed, then cancelled. */
import fs from "node:fs";
import { parseCsv } from "../../../core/src/csv/read";
import { api, shot, type Ctx } from "./context";
import { buildCsv } from "./fixtures";
import { assert, type StepRunner } from "./steps";

const SLOW_ROWS = 12;

/** A second batch of slow rows: change its concurrency while it runs, download mid-run, pause, resume, cancel. */
export async function slowBatchScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  let slowJobId = "";
  await run.step("a running batch takes a new concurrency", async () => {
    const fixture = buildCsv(ctx.example, { rows: SLOW_ROWS, rename: false, markerFor: () => "[[slow:1500]]" });
    await page.getByRole("link", { name: "Flow editor" }).click();
    await page.getByRole("button", { name: "Run batch…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    await dialog.getByLabel(/CSV file/).setInputFiles({ name: "e2e-slow.csv", mimeType: "text/csv", buffer: Buffer.from(fixture.csv) });
    await dialog.getByText("✓ Every row passed the checks.").waitFor();
    await dialog.getByLabel("Concurrency").fill("2");
    await dialog.getByRole("button", { name: `Run ${SLOW_ROWS} rows` }).click();
    await page.waitForURL(/#\/batches\/[^/]+$/);
    slowJobId = decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
    assert(slowJobId !== ctx.jobId, "the second batch has the first one's id");
    await page.getByLabel("Concurrency (while running)").fill("1");
    await page.getByRole("button", { name: "Apply concurrency" }).click();
    await page.getByText("concurrency 1 ·").waitFor();
    const { job } = await api<{ job: { concurrency: number } }>(server, `/api/batches/${slowJobId}`);
    assert(job.concurrency === 1, `server concurrency is ${job.concurrency} after the change`);
  });

  await run.step("a download while running lists every row, unfinished ones as pending", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download results as CSV" }).click()]);
    const { rows } = parseCsv(fs.readFileSync(await download.path(), "utf8"));
    assert(rows.length === SLOW_ROWS, `mid-run CSV has ${rows.length} rows`);
    assert(
      rows.some((r) => r.status === "pending"),
      "mid-run CSV has no pending row",
    );
    await shot(page, "11-batch-concurrency-changed");
  });

  await run.step("pause holds the batch with a banner saying why; resume runs the rows left", async () => {
    await page.getByRole("button", { name: "Pause batch" }).click();
    await page.getByTestId("paused-banner").getByText("Paused by you.").waitFor();
    await page.getByTestId("batch-status").getByText("paused").waitFor();
    const paused = await api<{ job: { status: string; pausedReason: string | null } }>(server, `/api/batches/${slowJobId}`);
    assert(paused.job.status === "paused" && paused.job.pausedReason === "user", `server job is ${paused.job.status} (${paused.job.pausedReason})`);
    await shot(page, "11b-batch-paused");
    await page.getByRole("button", { name: "Resume batch" }).click();
    await page.getByTestId("batch-status").getByText("processing").waitFor();
    assert((await page.getByTestId("paused-banner").count()) === 0, "the paused banner is still shown after resume");
    const resumed = await api<{ job: { status: string } }>(server, `/api/batches/${slowJobId}`);
    assert(resumed.job.status === "processing", `server job is ${resumed.job.status} after resume`);
  });

  await run.step("cancel stops the batch and counts the rows it never ran", async () => {
    await page.getByRole("button", { name: "Cancel batch" }).click();
    await page.getByRole("dialog", { name: "Cancel this batch?" }).getByRole("button", { name: "Yes, cancel the batch" }).click();
    await page.getByTestId("batch-status").getByText("cancelled").waitFor({ timeout: 30_000 });
    const { job } = await api<{ job: { skippedRows: number; completedRows: number; failedRows: number } }>(server, `/api/batches/${slowJobId}`);
    assert(job.skippedRows > 0, `cancelled job skipped ${job.skippedRows} rows`);
    assert(job.skippedRows + job.completedRows + job.failedRows === SLOW_ROWS, "cancelled job's counts do not add up to its rows");
    await page.getByText("Not run (cancelled)").waitFor();
    // The rows that ran before the cancel keep their results in the table.
    await page.getByText(`${job.completedRows + job.failedRows} with results`).waitFor();
    await shot(page, "12-batch-cancelled");
  });
}

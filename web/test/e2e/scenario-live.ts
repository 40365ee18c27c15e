/**
 * Browser test scenario for live progress: rows that fail fast all show in the table even when the
 * live stream connects late; switching the row filter starts at the top; rows waiting for a retry
 * show "retrying" with their last error, attempt and next try under one banner saying why; cancel
 * asks first, and a cancelled batch counts only the rows that ran and offers no retry; a retry
 * pass on an older batch measures its own time, not the idle gap before it.
 */
import type { Page, Route } from "playwright-core";
import { formatDuration } from "../../src/lib/progress";
import { api, shot, type Ctx } from "./context";
import { buildCsv } from "./fixtures";
import type { Server } from "./harness";
import { assert, type StepRunner } from "./steps";

interface JobView {
  status: string;
  completedRows: number;
  failedRows: number;
  skippedRows: number;
  cancelRequested: boolean;
  startedAt: number;
  finishedAt: number | null;
  passStartedAt?: number;
}

export const getJob = async (server: Server, id: string): Promise<JobView> => (await api<{ job: JobView }>(server, `/api/batches/${id}`)).job;
const ended = (j: JobView): boolean => ["completed", "failed", "cancelled"].includes(j.status);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, check: () => Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Creates a batch from the example flow through the dialog; returns its id. */
export async function runBatch(
  page: Page,
  ctx: Ctx,
  o: { rows: number; concurrency: number; marker: (i: number) => string | null; file: string },
): Promise<string> {
  const fixture = buildCsv(ctx.example, { rows: o.rows, rename: false, markerFor: o.marker });
  await page.getByRole("link", { name: "Flow editor" }).click();
  await page.getByRole("button", { name: "Run batch…" }).click();
  const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
  await dialog.getByLabel(/CSV file/).setInputFiles({ name: o.file, mimeType: "text/csv", buffer: Buffer.from(fixture.csv) });
  await dialog.getByText("✓ Every row passed the checks.").waitFor();
  await dialog.getByLabel("Concurrency").fill(String(o.concurrency));
  await dialog.getByRole("button", { name: `Run ${o.rows} rows` }).click();
  await page.waitForURL(/#\/batches\/[^/]+$/);
  return decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
}

export async function liveScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  const FAST = 12;

  await run.step("rows that all fail fast are all in the table, even when the live stream connects after the end", async () => {
    // Hold the batch's event stream until the batch has ended: the table must still match the server.
    const hold = async (route: Route): Promise<void> => {
      const id = decodeURIComponent(route.request().url().split("/api/batches/")[1]?.split("/")[0] ?? "");
      await until("the fast batch to end", async () => ended(await getJob(server, id)));
      await route.continue();
    };
    await page.route("**/api/batches/*/events*", hold);
    let jobId = "";
    try {
      jobId = await runBatch(page, ctx, { rows: FAST, concurrency: FAST, marker: () => "[[fail]]", file: "e2e-fast-fail.csv" });
      await page.getByTestId("batch-status").getByText("failed").waitFor({ timeout: 60_000 });
    } finally {
      await page.unroute("**/api/batches/*/events*", hold);
    }
    await page
      .getByTestId("stat-failed")
      .filter({ hasText: String(FAST) })
      .waitFor();
    await page.getByText(`${FAST} with results`).waitFor();
    assert((await page.locator(".results-row .status.not-run").count()) === 0, "rows of a failed (not cancelled) batch are marked not run");
    await page.getByLabel("Show rows").selectOption("pending");
    await page.getByText("No rows match this filter.").waitFor();
    const job = await getJob(server, jobId);
    assert(job.failedRows === FAST, `server says ${job.failedRows} failed`);
    await page.getByLabel("Show rows").selectOption("all");
    await shot(page, "23-batch-fast-failures");
  });

  await run.step("switching the row filter shows the new list from the top", async () => {
    // The first batch: 20 rows, all succeeded after its retry, so "Succeeded" lists the same rows.
    await page.goto(`${server.baseUrl}/#/batches/${encodeURIComponent(ctx.jobId)}`);
    await page.getByText("20 with results").waitFor();
    const list = page.locator(".results");
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    assert((await list.evaluate((el) => el.scrollTop)) > 0, "the row list does not scroll (too few rows for this check)");
    await page.getByLabel("Show rows").selectOption("succeeded");
    await page.getByText("20 shown").waitFor();
    await page
      .waitForFunction(() => document.querySelector(".results")?.scrollTop === 0, undefined, { timeout: 5_000 })
      .catch(() => {
        throw new Error("the new filter kept the old scroll position");
      });
  });

  let waitingJob = "";
  await run.step("rows waiting for a retry show 'retrying' with the last error, attempt and next try, under one banner", async () => {
    waitingJob = await runBatch(page, ctx, { rows: 3, concurrency: 3, marker: () => "[[rate-limit]]", file: "e2e-rate-limited.csv" });
    const banner = page.getByTestId("wait-banner");
    await banner.filter({ hasText: "3 rows are waiting to retry: AI provider rate limit" }).waitFor({ timeout: 30_000 });
    assert((await banner.innerText()).includes("[[rate-limit]]"), `banner lacks the last error: ${await banner.innerText()}`);
    const row = page.locator('.results-row[data-row="0"]');
    await row.locator(".status.retrying").waitFor();
    const note = await row.locator(".wait-text").innerText();
    assert(/Attempt \d+ failed: .*rate limit/.test(note) && /next try (in \d|due now)/.test(note), `row note: ${note}`);
    const tries = Number((await row.locator('[role="cell"]').last().innerText()).trim());
    assert(tries >= 1, `Tries shows ${tries}`);
    await shot(page, "24-batch-retrying");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "25-phone-batch-retrying");
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await run.step("cancel asks first; a cancelled batch counts only rows that ran and offers no retry", async () => {
    await page.getByRole("button", { name: "Cancel batch" }).click();
    const confirm = page.getByRole("dialog", { name: "Cancel this batch?" });
    await confirm.getByRole("button", { name: "Keep running" }).click();
    await confirm.waitFor({ state: "detached" });
    assert(!(await getJob(server, waitingJob)).cancelRequested, "Keep running cancelled the batch");
    await page.getByRole("button", { name: "Cancel batch" }).click();
    await confirm.getByRole("button", { name: "Yes, cancel the batch" }).click();
    await page.getByTestId("batch-status").getByText("cancelled").waitFor({ timeout: 90_000 });
    const job = await getJob(server, waitingJob);
    const ran = job.completedRows + job.failedRows;
    await page
      .getByTestId("stat-done")
      .filter({ hasText: `${ran} / 3` })
      .waitFor();
    assert(job.skippedRows === 3 - ran, `skipped ${job.skippedRows}`);
    assert((await page.getByRole("button", { name: /Retry failed rows/ }).count()) === 0, "Retry failed rows is offered on a cancelled batch");
    await shot(page, "26-batch-cancelled-counts");
  });

  await run.step("a retry pass on an older batch shows its own elapsed time and rate, not the idle gap", async () => {
    const jobId = await runBatch(page, ctx, { rows: 4, concurrency: 2, marker: (i) => (i === 1 ? "[[fail-first]]" : null), file: "e2e-retry-later.csv" });
    await page.getByTestId("batch-status").getByText("completed").waitFor({ timeout: 60_000 });
    const first = await getJob(server, jobId);
    // Let the batch sit idle for a while before retrying (the gap the figures must leave out).
    await until("an idle gap", async () => Date.now() - (first.finishedAt ?? 0) > 6_000);
    await page.getByRole("button", { name: /Retry failed rows \(1\)/ }).click();
    await page.getByTestId("stat-failed").filter({ hasText: "0" }).waitFor({ timeout: 60_000 });
    await page.getByTestId("batch-status").getByText("completed").waitFor();
    const job = await getJob(server, jobId);
    assert(job.passStartedAt !== undefined && job.finishedAt !== null, "the job has no pass start");
    const passMs = job.finishedAt - job.passStartedAt;
    assert(job.finishedAt - job.startedAt - passMs > 5_000, "no idle gap before the retry");
    await page
      .getByTestId("stat-elapsed")
      .filter({ hasText: formatDuration(passMs) })
      .waitFor();
    const rate = await page.getByTestId("stat-rate").innerText();
    const shown = Number(rate.replace(/[^\d.]/g, ""));
    const expected = (1 / passMs) * 60_000;
    assert(Math.abs(shown - expected) <= Math.max(1, expected * 0.05), `rate shows ${rate}, the pass ran 1 row in ${passMs} ms`);
    await shot(page, "27-batch-retry-pass-figures");
  });
}

/**
 * Browser test scenario at scale: a 10,000-row CSV is parsed in a Web Worker, and the view of a
 * 10,000-row batch stays virtualized (few rows in the DOM) while reaching the last row.
 */
import { api, shot, type Ctx } from "./context";
import { buildCsv, inputColumnsOf, type CsvFixture } from "./fixtures";
import { assert, type StepRunner } from "./steps";

export const LARGE_ROWS = 10_000;

declare global {
  interface Window {
    __longestTaskMs?: number;
  }
}

export async function largeBatchScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  const fixture = (): CsvFixture => buildCsv(ctx.example, { rows: LARGE_ROWS, rename: false, markerFor: () => null });

  await run.step("a 10,000-row CSV is parsed in a Web Worker and checked before running", async () => {
    await page.getByRole("link", { name: "Flow editor" }).click();
    await page.getByRole("button", { name: "Run batch…" }).click();
    await page.evaluate(() => {
      window.__longestTaskMs = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longestTaskMs = Math.max(window.__longestTaskMs ?? 0, e.duration);
      }).observe({ type: "longtask" });
    });
    let workers = 0;
    page.on("worker", () => workers++);
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    const csv = fixture().csv;
    await dialog.getByLabel(/CSV file/).setInputFiles({ name: "e2e-10k.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await dialog.getByText(`e2e-10k.csv: ${LARGE_ROWS.toLocaleString("en-US")} rows`).waitFor({ timeout: 60_000 });
    await dialog.getByText("✓ Every row passed the checks.").waitFor();
    assert(workers >= 1, "the CSV was not parsed in a Web Worker");
    const longest = await page.evaluate(() => window.__longestTaskMs ?? 0);
    console.log(`    (10,000-row CSV, ${(csv.length / 1024).toFixed(0)} KiB: longest main-thread task ${longest.toFixed(0)} ms)`);
    await shot(page, "13-batch-setup-10k");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  await run.step("a 10,000-row batch view keeps few rows in the DOM and scrolls to the last row", async () => {
    const { columns, rows } = fixture();
    assert(
      columns.every((c) => inputColumnsOf(ctx.example).includes(c)),
      "fixture columns do not match the flow",
    );
    const { job } = await api<{ job: { id: string } }>(server, "/api/batches", {
      name: "e2e 10k (not started)",
      flow: ctx.example.flow,
      columns,
      rows,
      start: false,
    });
    await page.goto(`${server.baseUrl}/#/batches/${encodeURIComponent(job.id)}`);
    await page
      .getByTestId("stat-done")
      .filter({ hasText: `0 / ${LARGE_ROWS.toLocaleString("en-US")}` })
      .waitFor();
    const domRows = await page.locator(".results-row").count();
    assert(domRows > 0 && domRows < 60, `${domRows} result rows in the DOM for ${LARGE_ROWS} rows`);
    await page.locator(".results").evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.locator(`.results-row[data-row="${LARGE_ROWS - 1}"]`).waitFor();
    const after = await page.locator(".results-row").count();
    assert(after < 60, `${after} result rows in the DOM after scrolling`);
    await shot(page, "14-batch-10k-virtualized");
  });

  await run.step("the not-started 10,000-row batch can be started, then cancelled", async () => {
    await page.getByRole("button", { name: "Start batch" }).click();
    await page.getByTestId("batch-status").getByText("processing").waitFor();
    await page.getByTestId("stat-succeeded").filter({ hasNotText: /^0$/ }).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Cancel batch" }).click();
    await page.getByRole("dialog", { name: "Cancel this batch?" }).getByRole("button", { name: "Yes, cancel the batch" }).click();
    await page.getByTestId("batch-status").getByText("cancelled").waitFor({ timeout: 30_000 });
    await page.getByText("Not run (cancelled)").waitFor();
  });
}

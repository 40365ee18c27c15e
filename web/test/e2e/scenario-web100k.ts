/**
 * Browser test scenario at 100,000 rows through the web app (local host): a picked 100,000-row ×
 * 3-column CSV shows its first rows while the worker still reads it, every row is checked with a
 * progress bar, the batch's CSV goes up through POST /api/uploads with an upload progress, and the
 * batch is created with 100,000 rows (then cancelled). The page's peak JS heap (CDP
 * `Performance.getMetrics`) is printed, not asserted. Checked at 1280 px and 390 px.
 */
import { api, shot, type Ctx } from "./context";
import { inputColumnsOf } from "./fixtures";
import { assert, type StepRunner } from "./steps";

const ROWS = 100_000;

declare global {
  interface Window {
    __seen100k?: { reading: boolean; previewWhileReading: boolean; uploading: boolean; pickedAt: number; previewAt: number; readAt: number };
  }
}

/** The example's input columns, padded to three, and a CSV of ROWS rows over them. */
function csv100k(inputs: string[]): { columns: string[]; text: string } {
  const columns = [...inputs, "extra_a", "extra_b", "extra_c"].slice(0, Math.max(3, inputs.length));
  const lines = [columns.join(",")];
  for (let i = 1; i <= ROWS; i++) lines.push(columns.map((c) => `${c} ${i}`).join(","));
  return { columns, text: `${lines.join("\r\n")}\r\n` };
}

/** Flags set by DOM mutations, so short-lived states (reading, uploading) are seen however fast. */
function watchDialog(): void {
  const seen = { reading: false, previewWhileReading: false, uploading: false, pickedAt: 0, previewAt: 0, readAt: 0 };
  window.__seen100k = seen;
  // From the file input's change (the file handed to the page), not from the test's file transfer.
  document.addEventListener("change", () => (seen.pickedAt = performance.now()), { capture: true, once: true });
  new MutationObserver(() => {
    const reading = document.querySelector('progress[aria-label="CSV read progress"]');
    if (reading) seen.reading = true;
    if (!seen.previewWhileReading && reading?.closest("section")?.querySelector('table[aria-label="First rows of the CSV"]')) {
      seen.previewWhileReading = true;
      seen.previewAt = performance.now();
    }
    if (!seen.readAt && document.querySelector('section[aria-label="CSV preview"]')) seen.readAt = performance.now();
    if (document.body.textContent?.includes("Uploading the CSV…")) seen.uploading = true;
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}

export async function web100kScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  let peakHeap = 0;
  const sampleHeap = async (): Promise<void> => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    peakHeap = Math.max(peakHeap, metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? 0);
  };
  let jobId = "";

  await run.step("a 100,000-row CSV previews while it is read, is checked in full and is uploaded", async () => {
    const { columns, text } = csv100k(inputColumnsOf(ctx.example));
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("link", { name: "Flow editor" }).click();
    await page.getByRole("button", { name: "Run batch…" }).click();
    await page.evaluate(watchDialog);
    const sampler = setInterval(() => void sampleHeap().catch(() => {}), 100);
    try {
      const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
      await dialog.getByLabel(/CSV file/).setInputFiles({ name: "e2e-100k.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
      await dialog.getByText(`e2e-100k.csv: ${ROWS.toLocaleString("en-US")} rows, ${columns.length} columns`).waitFor({ timeout: 120_000 });
      await dialog.getByText("✓ Every row passed the checks.").waitFor();
      const seen = await page.evaluate(() => window.__seen100k);
      assert(seen?.reading, "no read progress was shown while the CSV was read");
      assert(seen.previewWhileReading, "the first rows were not shown before the whole CSV was read");
      const previewMs = seen.previewAt - seen.pickedAt;
      const readMs = seen.readAt - seen.pickedAt;
      console.log(
        `    (first rows shown after ${previewMs.toFixed(0)} ms, whole file read and checked after ${readMs.toFixed(0)} ms: ratio ${(readMs / Math.max(previewMs, 1)).toFixed(1)})`,
      );
      await shot(page, "60-batch-setup-100k-1280");
      await page.setViewportSize({ width: 390, height: 844 });
      const runButton = dialog.getByRole("button", { name: `Run ${ROWS.toLocaleString("en-US")} rows` });
      await runButton.scrollIntoViewIfNeeded();
      const box = await runButton.boundingBox();
      assert(box && box.x >= 0 && box.x + box.width <= 390, `the Run button is off screen at 390 px (${JSON.stringify(box)})`);
      await shot(page, "61-batch-setup-100k-390");
      await page.setViewportSize({ width: 1280, height: 800 });
      await runButton.click();
      await page
        .getByTestId("stat-done")
        .filter({ hasText: `/ ${ROWS.toLocaleString("en-US")}` })
        .waitFor({ timeout: 120_000 });
      assert((await page.evaluate(() => window.__seen100k?.uploading)) === true, "no upload progress was shown");
    } finally {
      clearInterval(sampler);
    }
    await sampleHeap();
    jobId = decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
    const { job } = await api<{ job: { totalRows: number } }>(server, `/api/batches/${encodeURIComponent(jobId)}`);
    assert(job.totalRows === ROWS, `the batch has ${job.totalRows} rows, not ${ROWS}`);
    console.log(
      `    (100,000 × ${columns.length} CSV, ${(text.length / 1024 / 1024).toFixed(1)} MiB: page peak JS heap ${(peakHeap / 1024 / 1024).toFixed(0)} MiB)`,
    );
    await shot(page, "62-batch-100k");
  });

  await run.step("the 100,000-row batch is cancelled", async () => {
    await page.getByRole("button", { name: "Cancel batch" }).click();
    await page.getByRole("dialog", { name: "Cancel this batch?" }).getByRole("button", { name: "Yes, cancel the batch" }).click();
    await page.getByTestId("batch-status").getByText("cancelled").waitFor({ timeout: 60_000 });
  });
}

/**
 * Measurement (not a test): runs a 10,000-row batch on the real local host with the offline
 * provider at zero latency and watches it in Chromium. Prints how long the server took, how far
 * behind the page's "Done" counter finished, the longest main-thread task while results streamed
 * in, and how many result rows the DOM held. Usage: npm run measure:large -w web [-- ROWS CONCURRENCY]
 */
import { api } from "./context";
import { buildCsv, type Example } from "./fixtures";
import { buildIfStale, launchChromium, startLocalHost } from "./harness";

declare global {
  interface Window {
    __longTasks?: Array<{ start: number; duration: number }>;
    __startedAt?: number;
  }
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 10_000);
  const concurrency = Number(process.argv[3] ?? 50);
  buildIfStale("local", "web");
  const server = await startLocalHost({ latencyMs: 0 });
  const browser = await launchChromium();
  try {
    const { examples } = await api<{ examples: Example[] }>(server, "/api/examples");
    const example = examples.find((e) => e.id === "product-descriptions") ?? examples[0];
    if (!example) throw new Error("no examples served");
    const fixture = buildCsv(example, { rows, rename: false, markerFor: () => null });
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longTasks?.push({ start: e.startTime, duration: e.duration }))).observe({
        type: "longtask",
      });
    });
    const { job } = await api<{ job: { id: string } }>(server, "/api/batches", {
      name: "measure",
      flow: example.flow,
      columns: fixture.columns,
      rows: fixture.rows,
      concurrency,
      start: false,
    });
    await page.goto(`${server.baseUrl}/#/batches/${job.id}`);
    await page.getByRole("button", { name: "Start batch" }).waitFor();
    const started = Date.now();
    await page.evaluate(() => (window.__startedAt = performance.now()));
    await page.getByRole("button", { name: "Start batch" }).click();
    await page
      .getByTestId("stat-done")
      .filter({ hasText: `${rows.toLocaleString("en-US")} / ${rows.toLocaleString("en-US")}` })
      .waitFor({ timeout: 15 * 60_000 });
    const uiDone = Date.now();
    await page.locator(".results-row .status.succeeded").first().waitFor();
    const { job: final } = await api<{ job: { startedAt: number; finishedAt: number; completedRows: number } }>(server, `/api/batches/${job.id}`);
    // Only tasks while results streamed in (page load and first render are not counted).
    const tasks = await page.evaluate(() => (window.__longTasks ?? []).filter((t) => t.start >= (window.__startedAt ?? 0)).map((t) => t.duration));
    const domRows = await page.locator(".results-row").count();
    const withResults = await page.getByText(/with results/).innerText();
    console.log(
      JSON.stringify(
        {
          rows,
          concurrency,
          serverRunMs: final.finishedAt - final.startedAt,
          serverRowsPerMin: Math.round((final.completedRows / (final.finishedAt - final.startedAt)) * 60_000),
          pageSawEndAfterMs: uiDone - started,
          longTasks: tasks.length,
          longestTaskMs: Math.round(Math.max(0, ...tasks)),
          totalLongTaskMs: Math.round(tasks.reduce((a, b) => a + b, 0)),
          domResultRows: domRows,
          table: withResults,
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

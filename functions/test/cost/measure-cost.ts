/**
 * Measures Firestore reads and writes, task dispatches and function invocations per 1,000 rows by
 * running a batch through the exported functions (wrapped, in-memory store, offline AI, every
 * task and trigger event delivered once). Prints one JSON line. Usage:
 *   node scripts/run-ts.js functions/test/cost/measure-cost.ts [--rows 1000] [--concurrency 10]
 */
import { OfflineAiService, type Job } from "@flowcraft/core";
import { Harness, auth, fft, textFlow } from "../support/harness";
import { CountingStore } from "./counting-store";

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Writes per 1,000 rows grouped by collection (job docs, results, lanes, ...). */
function writesByCollection(h: Harness, rows: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of h.store.writeLog) {
    const parts = w.path.split("/");
    const key = parts.length === 2 ? "batch_jobs" : `batch_jobs/*/${parts[2]}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  for (const k of Object.keys(out)) out[k] = Math.round(((out[k] ?? 0) / rows) * 1000);
  return out;
}

async function main(): Promise<void> {
  const rows = arg("rows", 1000);
  const concurrency = arg("concurrency", 10);
  let counting: CountingStore | undefined;
  let taskRuns = 0;
  const h = new Harness({
    ai: new OfflineAiService(),
    recordWrites: true,
    wrapStore: (s) => (counting = new CountingStore(s)),
  });
  const events = { resultCreated: 0, jobCreated: 0 };
  const deliverCreated = h.deliverCreated.bind(h);
  h.deliverCreated = async (doc) => {
    if (/^batch_jobs\/[^/]+\/results\/[^/]+$/.test(doc.path)) events.resultCreated++;
    if (/^batch_jobs\/[^/]+$/.test(doc.path)) events.jobCreated++;
    return deliverCreated(doc);
  };
  const deliverTask = h.deliverTask.bind(h);
  h.deliverTask = async (t, retryCount) => {
    taskRuns++;
    return deliverTask(t, retryCount);
  };
  const input = Array.from({ length: rows }, (_, i) => ({ topic: `topic ${i}` }));
  const { job } = await h.createBatch({
    data: { flow: textFlow(), columns: ["topic"], rows: input, concurrency, start: true },
    auth: auth("cost"),
  } as never);
  await h.drain();
  const final = (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
  const per1000 = (n: number) => Math.round((n / rows) * 1000);
  process.stdout.write(
    `${JSON.stringify({
      rows,
      concurrency,
      status: final.status,
      completedRows: final.completedRows,
      errors: h.errors.length,
      per1000Rows: {
        firestoreReads: per1000(counting!.reads),
        firestoreWrites: per1000(h.store.stats.writes),
        taskEnqueues: per1000(h.queue.enqueued.length),
        taskDispatches: per1000(taskRuns),
        resultTriggerInvocations: per1000(events.resultCreated),
        callableInvocations: per1000(1),
      },
      writesPer1000ByCollection: writesByCollection(h, rows),
    })}\n`,
  );
  fft.cleanup();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});

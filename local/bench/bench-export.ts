/**
 * Export benchmark. For each size (1,000 and 10,000 rows by default), one run finishes a job on
 * the local host (offline provider, latency 0), then times, side by side:
 *   1. the HTTP export (GET /api/batches/:id/export.csv on 127.0.0.1, the whole body read), and
 *   2. a plain ordered dump of the same columns: one ordered pass over the input chunks and one over
 *      the results in SQLite, formatted with the same export records.
 * It prints each time, the export's growth from the smallest to the largest size (linear reads make
 * it about the size ratio, 10) and the export against the dump. Usage:
 *   npm run bench:export -- [--sizes 1000,10000] [--repeat 9] [--warmup 2]
 * Robust against the machine's other load as far as a benchmark can be without hiding a real cost:
 * each job's background work (result triggers still in the outbox, roll-ups) is finished before any
 * timing; `warmup` rounds run first and are not counted; the rounds interleave the sizes, in turns
 * reversed each round; a full garbage collection precedes each sample, so no sample pays for the
 * garbage of the one before (its own garbage it still pays for); every sample is printed with the
 * load average it ran under, and the figures are medians.
 */
import { LOCAL_OWNER, createLocalHost, type LocalHost } from "../src/local-host";
import { createApiServer, listen } from "../src/http/server";
import { TEXT_FLOW as FLOW } from "../test/support/flows";
import { OfflineAiService, RowResult, exportHeader, exportLayout, exportLine, resultsPath } from "@flowcraft/core";
import { RowsChunk, rowsPath } from "../../core/src/batch/state";
import fs from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { countsFlag, numberFlag } from "./bench-flags";
import { waitForEnd } from "./bench-support";

const COLUMNS = ["topic", "note", "code"];

function parseArgs(argv: string[]): { sizes: number[]; repeat: number; warmup: number } {
  const warmup = numberFlag(argv, "warmup", 2, "non-negative");
  if (!Number.isInteger(warmup)) throw new Error("--warmup must be a whole number of at least 0");
  return { sizes: countsFlag(argv, "sizes", [1000, 10_000], 2), repeat: numberFlag(argv, "repeat", 9, "positive-integer"), warmup };
}

// A full collection before each sample (the flag is set at run time: the bench runs without node flags).
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
/**
 * A full collection, then a pause for V8's background sweeping of what it freed: without it, the
 * sample after a large one (the 10,000-row dump frees every parsed result) paid for that sweep.
 */
async function fullGc(): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 100));
}

/**
 * Waits until the host has nothing left to do for its finished job: every result trigger delivered
 * (the outbox lags behind a fast job and drains after it) and no task queued or running (roll-ups).
 * Timing an export while that work runs measures the work, not the export.
 */
async function settle(host: LocalHost, timeoutMs = 120_000): Promise<void> {
  const outbox = host.store.db.prepare("SELECT count(*) FROM outbox").pluck();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { queued, running } = host.queue.stats();
    if ((outbox.get() as number) === 0 && queued === 0 && running === 0) break;
    if (Date.now() > deadline) throw new Error("the host did not settle after its job");
    await new Promise((r) => setTimeout(r, 50));
  }
  host.flush();
}

const makeRows = (n: number): Record<string, string>[] =>
  Array.from({ length: n }, (_, i) => ({ topic: `topic number ${i}`, note: `a note about row ${i}, with a comma`, code: `C-${i * 7}` }));

/** The whole body of a GET on the loopback server, timed. */
function timedGet(port: number, urlPath: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: urlPath }, (res) => {
        let bytes = 0;
        res.on("data", (b: Buffer) => (bytes += b.length));
        res.on("end", () =>
          res.statusCode === 200 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`export: HTTP ${res.statusCode}`)),
        );
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

/** The same columns as the export, from one ordered read of each collection (the floor for any export). */
async function plainDump(host: LocalHost, jobId: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const job = await host.handlers.getJob(LOCAL_OWNER, jobId);
  const layout = exportLayout(job);
  const select = host.store.db.prepare("SELECT data FROM documents WHERE parent = ? ORDER BY id").pluck();
  const inputs = (select.all(rowsPath(jobId)) as string[]).flatMap((d) => RowsChunk.parse(JSON.parse(d)).rows);
  const results = (select.all(resultsPath(jobId)) as string[]).map((d) => RowResult.parse(JSON.parse(d)));
  let bytes = exportHeader(layout, "csv").length;
  results.forEach((r, i) => (bytes += exportLine(layout, "csv", inputs[i] ?? {}, r).length));
  return { ms: performance.now() - started, bytes };
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

interface Setup {
  rows: number;
  host: LocalHost;
  server: http.Server;
  port: number;
  jobId: string;
  dataDir: string;
}

/** A finished job of `rows` rows on its own host, served on a loopback port. */
async function setUp(rows: number): Promise<Setup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-bench-export-"));
  const host = createLocalHost({ dataDir, ai: new OfflineAiService({ latencyMs: 0 }), reconcileIntervalMs: 60_000, limits: { maxRows: Math.max(rows, 10) } });
  const server = createApiServer({ host, provider: "offline", webDir: path.join(dataDir, "no-web"), examplesDir: path.join(dataDir, "no-examples") });
  const created = await host.handlers.createJob({ ...LOCAL_OWNER, flow: FLOW, columns: COLUMNS, rows: makeRows(rows), concurrency: 50, start: true });
  const job = await waitForEnd(host, created.id);
  if (job.completedRows !== rows) throw new Error(`job: ${job.completedRows}/${rows} rows succeeded`);
  await settle(host);
  return { rows, host, server, port: await listen(server, 0), jobId: created.id, dataDir };
}

async function tearDown(s: Setup): Promise<void> {
  s.server.closeAllConnections();
  await new Promise<void>((r) => s.server.close(() => r()));
  await s.host.close();
  fs.rmSync(s.dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const { sizes, repeat, warmup } = parseArgs(process.argv.slice(2));
  const setups: Setup[] = [];
  try {
    for (const rows of sizes) setups.push(await setUp(rows));
    // Rounds interleave the sizes (in reversed turns every other round), so load from other
    // processes falls on all of them alike; warm-up rounds (JIT, page cache) are not counted.
    const times = setups.map(() => ({ exports: [] as number[], dumps: [] as number[], bytes: 0 }));
    const roundRatios: number[] = [];
    console.log(`samples (export ms / dump ms per size; load average of the last minute):`);
    for (let round = 0; round < warmup + repeat; round++) {
      const order = [...setups.entries()];
      if (round % 2 === 1) order.reverse();
      const line: string[] = [];
      for (const [i, s] of order) {
        await fullGc();
        const e = await timedGet(s.port, `/api/batches/${s.jobId}/export.csv`);
        await fullGc();
        const d = await plainDump(s.host, s.jobId);
        line[i] = `${s.rows}: ${e.ms.toFixed(1)} / ${d.ms.toFixed(1)}`;
        if (round < warmup) continue;
        const t = times[i]!;
        t.exports.push(e.ms);
        t.dumps.push(d.ms);
        t.bytes = e.bytes;
      }
      if (round >= warmup) roundRatios.push(times[setups.length - 1]!.exports.at(-1)! / times[0]!.exports.at(-1)!);
      const ratio = round < warmup ? "" : `, ratio ${roundRatios.at(-1)!.toFixed(2)}`;
      console.log(`  ${round < warmup ? "warm-up" : `round ${round - warmup + 1}`}: ${line.join(", ")}${ratio} (load ${os.loadavg()[0]!.toFixed(2)})`);
    }
    console.log(`HTTP export vs plain ordered dump, ${COLUMNS.length} input columns + outputs + status columns, median of ${repeat} interleaved rounds`);
    const runs = setups.map((s, i) => ({
      rows: s.rows,
      exportMs: median(times[i]!.exports),
      dumpMs: median(times[i]!.dumps),
      fastestExportMs: Math.min(...times[i]!.exports),
      bytes: times[i]!.bytes,
    }));
    for (const m of runs) {
      console.log(
        `  ${String(m.rows).padStart(7)} rows: export ${m.exportMs.toFixed(1)} ms (${((m.exportMs * 1000) / m.rows).toFixed(1)} µs/row, ${(m.bytes / 1024).toFixed(0)} KiB), dump ${m.dumpMs.toFixed(1)} ms, export/dump ${(m.exportMs / m.dumpMs).toFixed(2)}`,
      );
    }
    const first = runs[0]!;
    const last = runs[runs.length - 1]!;
    console.log(
      `export ${last.rows}/${first.rows} rows: time ratio ${(last.exportMs / first.exportMs).toFixed(2)} (size ratio ${(last.rows / first.rows).toFixed(0)}; target <= 12)`,
    );
    // The same ratio within each round (its two exports ran a moment apart, under the same load).
    console.log(`export ${last.rows}/${first.rows} rows: median of the rounds' own ratios ${median(roundRatios).toFixed(2)}`);
    // Other load only adds time, so the fastest rounds are the least disturbed: a further estimate.
    console.log(`export ${last.rows}/${first.rows} rows, fastest rounds: time ratio ${(last.fastestExportMs / first.fastestExportMs).toFixed(2)}`);
    console.log(`dump   ${last.rows}/${first.rows} rows: time ratio ${(last.dumpMs / first.dumpMs).toFixed(2)}`);
  } finally {
    for (const s of setups) await tearDown(s);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

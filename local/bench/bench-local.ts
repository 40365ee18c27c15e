/**
 * Local host overhead benchmark. Runs the same rows, in one process and one run, through
 *   1. a bare in-process concurrency limiter (the original plan's p-limit loop) over the engine, and
 *   2. the local host (SQLite store + durable queue + outbox + core batch handlers),
 * both with the offline provider at the given latency, and prints both makespans, the host's ratio
 * against the rows·L/C bound (ceil(rows / C) · L, the makespan of a zero-overhead host) and
 * against the bare loop, and the overhead and CPU per row. Usage:
 *   npm run bench:local -- --rows 1000 --concurrency 10 --latency-ms 20 [--repeat 3] [--trace]
 * Each pair runs bare then host back to back; the summary is the median over pairs, which keeps
 * one noisy pair (other processes on the machine) from deciding the figure. `--trace` adds one host
 * run with its lanes' timeline (bench-trace.ts): where the time between rows goes.
 */
import { LOCAL_OWNER, createLocalHost } from "../src/local-host";
// topic ──▶ write (text) ──▶ out: the same one-step flow the local tests use.
import { TEXT_FLOW as FLOW } from "../test/support/flows";
import { OfflineAiService, ServerWorkflowEngine, parseFlow } from "@flowcraft/core";
import { numberFlag } from "./bench-flags";
import { waitForEnd } from "./bench-support";
import { LaneTrace, TracedAi } from "./bench-trace";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

interface BenchArgs {
  rows: number;
  concurrency: number;
  latencyMs: number;
  repeat: number;
  trace: boolean;
}

function parseArgs(argv: string[]): BenchArgs {
  return {
    rows: numberFlag(argv, "rows", 1000, "positive-integer"),
    concurrency: numberFlag(argv, "concurrency", 10, "positive-integer"),
    latencyMs: numberFlag(argv, "latency-ms", 20, "non-negative"),
    repeat: numberFlag(argv, "repeat", 3, "positive-integer"),
    trace: argv.includes("--trace"),
  };
}

const makeRows = (n: number): Record<string, string>[] => Array.from({ length: n }, (_, i) => ({ topic: `topic number ${i}` }));

async function bareLoop(a: BenchArgs, rows: Record<string, string>[]): Promise<number> {
  const engine = new ServerWorkflowEngine({ ai: new OfflineAiService({ latencyMs: a.latencyMs }) });
  const flow = parseFlow(FLOW, { columns: ["topic"] });
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++] as Record<string, string>;
      const run = await engine.execute({ flow, row });
      if (run.status !== "succeeded") throw new Error("bare loop: a row failed");
    }
  };
  await Promise.all(Array.from({ length: a.concurrency }, worker));
  return performance.now() - started;
}

async function hostRun(a: BenchArgs, rows: Record<string, string>[], trace?: LaneTrace): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-bench-"));
  const ai = trace ? new TracedAi({ latencyMs: a.latencyMs }, trace) : new OfflineAiService({ latencyMs: a.latencyMs });
  const host = createLocalHost({ dataDir, ai, limits: { maxRows: Math.max(rows.length, 10) } });
  if (trace) trace.attach(host);
  try {
    trace?.start();
    const started = performance.now();
    const created = await host.handlers.createJob({ ...LOCAL_OWNER, flow: FLOW, columns: ["topic"], rows, concurrency: a.concurrency, start: true });
    trace?.created();
    const job = await waitForEnd(host, created.id);
    const ms = performance.now() - started;
    trace?.stop();
    if (job.completedRows !== rows.length) throw new Error(`host: ${job.completedRows}/${rows.length} rows succeeded`);
    return ms;
  } finally {
    await host.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Pair {
  bare: number;
  host: number;
  bareCpu: number;
  hostCpu: number;
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

/** One bare run and one host run back to back, with their makespans and CPU time. */
async function measurePair(a: BenchArgs, rows: Record<string, string>[]): Promise<Pair> {
  const c0 = process.cpuUsage();
  const bare = await bareLoop(a, rows);
  const c1 = process.cpuUsage(c0);
  const c2 = process.cpuUsage();
  const host = await hostRun(a, rows);
  const c3 = process.cpuUsage(c2);
  return { bare, host, bareCpu: cpuMs(c1), hostCpu: cpuMs(c3) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] as number;
};

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const rows = makeRows(a.rows);
  // Warm both paths up (JIT, SQLite page cache) on a few rows first.
  const warm = { ...a, rows: Math.min(50, a.rows) };
  await measurePair(warm, makeRows(warm.rows));

  const ideal = (Math.ceil(a.rows / a.concurrency) * a.latencyMs) / 1000;
  console.log(`rows ${a.rows}, concurrency ${a.concurrency}, offline latency ${a.latencyMs} ms (ideal makespan ${ideal.toFixed(2)} s), ${a.repeat} pair(s)`);
  const pairs: Pair[] = [];
  for (let i = 0; i < a.repeat; i++) {
    const p = await measurePair(a, rows);
    pairs.push(p);
    const vsBound = p.host / 1000 / ideal;
    console.log(
      `  pair ${i + 1}: bare ${(p.bare / 1000).toFixed(3)} s, host ${(p.host / 1000).toFixed(3)} s, host/bound ${vsBound.toFixed(3)}, host/bare ${(p.host / p.bare).toFixed(3)}`,
    );
  }
  const bare = median(pairs.map((p) => p.bare));
  const host = median(pairs.map((p) => p.host));
  const ratio = median(pairs.map((p) => p.host / p.bare));
  const vsBound = median(pairs.map((p) => p.host / 1000 / ideal));
  const perLane = ((host - bare) * a.concurrency) / a.rows;
  console.log(`bare p-limit loop : ${(bare / 1000).toFixed(3)} s (median)`);
  console.log(`local host        : ${(host / 1000).toFixed(3)} s (median)`);
  console.log(`ratio host/bound  : ${vsBound.toFixed(3)} (median of pairs; bound rows*L/C = ${ideal.toFixed(2)} s; target <= 1.05)`);
  console.log(`ratio host/bare   : ${ratio.toFixed(3)} (median of pairs)`);
  console.log(`overhead per row  : ${perLane.toFixed(2)} ms in each lane, ${((host - bare) / a.rows).toFixed(3)} ms of makespan per row`);
  console.log(
    `CPU per row       : bare ${(median(pairs.map((p) => p.bareCpu)) / a.rows).toFixed(3)} ms, host ${(median(pairs.map((p) => p.hostCpu)) / a.rows).toFixed(3)} ms`,
  );
  if (a.trace) {
    const trace = new LaneTrace(a.latencyMs);
    const ms = await hostRun(a, rows, trace);
    console.log(`traced host run   : ${(ms / 1000).toFixed(3)} s, host/bound ${(ms / 1000 / ideal).toFixed(3)}`);
    trace.print(a.rows, Math.min(a.concurrency, a.rows), ms);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

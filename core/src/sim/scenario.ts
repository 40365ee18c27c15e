/**
 * The standard scenario behind `npm run sim`: one job of N rows through a one-step text flow, run
 * to its terminal status under the chosen faults, then measured (see metrics.ts and the report
 * fields documented in core/ARCHITECTURE.md).
 */
import { resultsPath } from "../batch/model";
import { NO_FAULTS, STANDARD_FAULTS } from "./faults";
import { groupMakespan, idealMakespan, ratio, round, strideMakespan } from "./metrics";
import { SimAi } from "./fake-ai";
import { Simulation } from "./simulation";

export interface ScenarioOptions {
  rows: number;
  concurrency: number;
  latencyMs: number;
  latencySigma: number;
  faults: "standard" | "none";
  seed: number;
}

export interface SimReport {
  rows: number;
  concurrency: number;
  seed: number;
  faults: string;
  latencyMs: number;
  latencySigma: number;
  status: string;
  makespanMs: number;
  idealMakespanMs: number;
  efficiency: number;
  maxInFlight: number;
  maxDocWritesPerSec: number;
  busiestDoc: string;
  writesPerRow: number;
  readsPerRow: number;
  completedRows: number;
  failedRows: number;
  countedOnce: boolean;
  stuckRows: number;
  terminalTransitions: number;
  compare: { groupDispatch: number; strideChains: number };
  queue: Record<string, number>;
  /** Per-row breakdowns: writes and billed reads by kind of document. */
  writesPerRowByKind: Record<string, number>;
  readsPerRowByKind: Record<string, number>;
  triggerDeliveries: number;
  aiCalls: number;
  realMs: number;
}

export const SIM_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "draft", type: "text", data: { model: "gemini-2.5-flash", prompt: "Write two sentences about {{topic}}." } },
    { id: "out", type: "output", data: { name: "draft" } },
  ],
  edges: [
    { source: "topic", target: "draft" },
    { source: "draft", target: "out" },
  ],
};

export async function runScenario(o: ScenarioOptions): Promise<SimReport> {
  const realStart = Date.now();
  const sim = new Simulation({
    seed: o.seed,
    faults: o.faults === "standard" ? STANDARD_FAULTS : NO_FAULTS,
    latencyMs: o.latencyMs,
    latencySigma: o.latencySigma,
    // The simulator may explore past the product limits.
    limits: { maxRows: Math.max(10_000, o.rows), maxConcurrency: Math.max(50, o.concurrency) },
  });
  const rows = Array.from({ length: o.rows }, (_, i) => ({ topic: `topic ${i}` }));
  const owner = { ownerId: "sim" };
  const job = await sim.drive(sim.handlers.createJob({ ownerId: owner.ownerId, flow: SIM_FLOW, columns: ["topic"], rows, concurrency: o.concurrency }));
  const t0 = sim.clock.now();
  sim.startReconciler(() => sim.finished.length > 0, 30 * 24 * 3_600_000);
  await sim.drive(sim.handlers.startJob(owner, job.id));
  sim.queue.crashesEnabled = true;
  await sim.run();
  const final = await sim.drive(sim.handlers.getJob(owner, job.id));
  const results = await sim.store.inner.count(resultsPath(job.id));
  const occ = new Array<number>(o.rows).fill(0);
  for (const a of sim.attempts) occ[a.rowIndex] = (occ[a.rowIndex] ?? 0) + (a.end - a.start);
  const ideal = idealMakespan(occ, o.concurrency);
  const end = sim.finished[0]?.at ?? sim.clock.now();
  const makespan = end - t0;
  const writes = sim.store.writeStats();
  const countedOnce =
    Array.from({ length: o.rows }, (_, i) => sim.counted.get(`${job.id}:0:${i}`) === 1).every(Boolean) &&
    sim.counted.size === o.rows &&
    final.completedRows + final.failedRows === o.rows &&
    results === o.rows &&
    sim.finished.length === 1 &&
    sim.terminalWrites.length === 1;
  return {
    rows: o.rows,
    concurrency: o.concurrency,
    seed: o.seed,
    faults: o.faults,
    latencyMs: o.latencyMs,
    latencySigma: o.latencySigma,
    status: final.status,
    makespanMs: Math.round(makespan),
    idealMakespanMs: Math.round(ideal),
    efficiency: ratio(ideal, makespan),
    maxInFlight: sim.maxInFlight,
    maxDocWritesPerSec: round(writes.maxPer10s / 10, 2),
    busiestDoc: writes.busiest,
    writesPerRow: round(writes.writes / o.rows, 3),
    readsPerRow: round(sim.store.reads / o.rows, 3),
    completedRows: final.completedRows,
    failedRows: final.failedRows,
    countedOnce,
    stuckRows: o.rows - results,
    terminalTransitions: sim.terminalWrites.length,
    compare: { groupDispatch: ratio(ideal, groupMakespan(occ, o.concurrency)), strideChains: ratio(ideal, strideMakespan(occ, o.concurrency)) },
    queue: { ...sim.queue.stats },
    writesPerRowByKind: perRow(writes.byKind, o.rows),
    readsPerRowByKind: perRow(sim.store.readsByKind, o.rows),
    triggerDeliveries: sim.triggerDeliveries,
    aiCalls: sim.ai instanceof SimAi ? sim.ai.calls : 0,
    realMs: Date.now() - realStart,
  };
}

function perRow(m: ReadonlyMap<string, number>, rows: number): Record<string, number> {
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / rows, 3)]));
}

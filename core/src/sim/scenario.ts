/**
 * The standard scenario behind `npm run sim`: one job of N rows through a one-step text flow, run
 * to its terminal status under the chosen faults, then measured (see metrics.ts and the report
 * fields documented in core/ARCHITECTURE.md).
 */
import { JobStatus, resultsPath, type Job } from "../batch/model";
import { isPaused, isTerminal } from "../batch/statuses";
import { exactProgress } from "../batch/queries";
import { DEFAULT_PRICES, withPrices, type PriceTable } from "../governor/prices";
import { StoreGovernor } from "../governor/store-governor";
import { DEPLOYED_ROW_QUEUE_LIMITS } from "../ports/task-queue";
import { NO_FAULTS, STANDARD_FAULTS } from "./faults";
import { CallLedger, jobTag, quotaIdealMs, steadyCallsPerMin } from "./job-calls";
import { groupMakespan, idealMakespan, ratio, round, strideMakespan } from "./metrics";
import { SimAi } from "./fake-ai";
import { Simulation } from "./simulation";
import { FIRESTORE_CONTENTION, type ContentionStats } from "./contention";
import { tailReport, type TailReport } from "./tail";

export interface ScenarioOptions {
  rows: number;
  concurrency: number;
  latencyMs: number;
  latencySigma: number;
  faults: "standard" | "none";
  seed: number;
  /** The provider's real requests/min per model (429 beyond it); absent = unlimited. */
  quotaRpm?: number;
  /** What the governor is told (defaults to the quota); with neither, no governor runs. */
  configuredRpm?: number;
  /** Identical jobs started together (default 1). */
  jobs?: number;
  /** The row queue's dispatches per second and concurrent dispatches (default: the deployed limits). */
  queueMaxPerSecond?: number;
  queueMaxConcurrent?: number;
  /** Each job's spend cap: it pauses with reason `budget` when its spend reaches it. */
  budgetUsd?: number;
  /** A flat price per billed AI call (USD); absent = the default price table on the tokens used. */
  pricePerCallUsd?: number;
  /** Model Firestore's per-document contention (default false; the CLI turns it on). */
  contention?: boolean;
  /** Add the first job's tail report (tail.ts): where lane time went and how the job ended. */
  tail?: boolean;
}

export interface PerJobReport {
  jobId: string;
  efficiency: number;
  aiCallsPerMin: number;
  status: string;
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
  /** What per-document contention cost (contention.ts); null when not modelled. */
  contention: ContentionStats | null;
  busiestDoc: string;
  writesPerRow: number;
  readsPerRow: number;
  /** Rows per commit that wrote results (above 1: lanes commit groups of short rows). */
  rowsPerResultCommit: number;
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
  /** Calls made to the provider, 429s included. */
  aiCalls: number;
  /** Calls the provider answered 429 (with a quota: the quota's 429s; else the injected faults'). */
  ai429s: number;
  /** Served (non-429) calls per minute over the middle 60% of the run, all jobs together. */
  aiCallsPerMin: number;
  quotaRpm: number | null;
  configuredRpm: number | null;
  jobs: number;
  perJob: PerJobReport[];
  /** The row queue limits modelled. */
  queueMaxPerSecond: number;
  queueMaxConcurrent: number;
  /** Writes to the governor's documents (`governor/**`) per AI call made; null without a governor. */
  governorWritesPerCall: number | null;
  /** USD spent by every job together (exact, from the lanes' cost counters). */
  spentUsd: number;
  budgetUsd: number | null;
  pricePerCallUsd: number | null;
  /** The first job's pause reason when it ended paused, else null. */
  pausedReason: string | null;
  /** With `tail`: the first job's tail report (tail.ts); else null. */
  tail: TailReport | null;
  realMs: number;
}

/** The default table with `model` billed a flat `usd` per call and nothing per token. */
export function flatCallPrices(model: string, usd: number): PriceTable {
  return withPrices(DEFAULT_PRICES, `flat-${usd}-per-call`, { [model]: { inputPerMTokens: 0, outputPerMTokens: 0, perRequest: usd } });
}

const SIM_MODEL = "gemini-2.5-flash";

export const SIM_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "draft", type: "text", data: { model: SIM_MODEL, prompt: "Write two sentences about {{topic}}." } },
    { id: "out", type: "output", data: { name: "draft" } },
  ],
  edges: [
    { source: "topic", target: "draft" },
    { source: "draft", target: "out" },
  ],
};

export async function runScenario(o: ScenarioOptions): Promise<SimReport> {
  const realStart = Date.now();
  const k = Math.max(1, Math.floor(o.jobs ?? 1));
  const configuredRpm = o.configuredRpm ?? o.quotaRpm;
  const ledger = new CallLedger(k);
  const sim = new Simulation({
    seed: o.seed,
    faults: o.faults === "standard" ? STANDARD_FAULTS : NO_FAULTS,
    latencyMs: o.latencyMs,
    latencySigma: o.latencySigma,
    ...(o.contention ? { contention: FIRESTORE_CONTENTION } : {}),
    ...(o.tail ? { recordLanes: true } : {}),
    // The simulator may explore past the product limits.
    limits: { maxRows: Math.max(10_000, o.rows), maxConcurrency: Math.max(50, o.concurrency) },
    ...(o.quotaRpm !== undefined ? { quotaRpm: o.quotaRpm } : {}),
    onServed: (req, at, latency) => ledger.served(req, at, latency),
    // The Firebase host's governor: the store-backed one, over the simulated Firestore.
    ...(configuredRpm !== undefined
      ? { governor: (clock, store) => new StoreGovernor({ store, clock, instanceId: "sim", defaults: { "*": { rpm: configuredRpm } } }) }
      : {}),
    queueLimits: {
      maxDispatchesPerSecond: o.queueMaxPerSecond ?? DEPLOYED_ROW_QUEUE_LIMITS.maxDispatchesPerSecond,
      maxConcurrentDispatches: o.queueMaxConcurrent ?? DEPLOYED_ROW_QUEUE_LIMITS.maxConcurrentDispatches,
    },
    ...(o.pricePerCallUsd !== undefined ? { prices: flatCallPrices(SIM_MODEL, o.pricePerCallUsd) } : {}),
  });
  const owner = { ownerId: "sim" };
  const jobs: Job[] = [];
  for (let j = 0; j < k; j++) {
    const rows = Array.from({ length: o.rows }, (_, i) => ({ topic: k === 1 ? `topic ${i}` : `topic ${i} ${jobTag(j)}` }));
    const budget = o.budgetUsd !== undefined ? { budgetUsd: o.budgetUsd } : {};
    jobs.push(
      await sim.drive(sim.handlers.createJob({ ownerId: owner.ownerId, flow: SIM_FLOW, columns: ["topic"], rows, concurrency: o.concurrency, ...budget })),
    );
  }
  const t0 = sim.clock.now();
  // A paused job (breaker, budget) waits for a resume no scenario gives: the run ends with it.
  const atEnd = (): boolean => jobs.every((job) => restsHere(sim.statusOf(job.id)));
  sim.startReconciler(() => sim.finished.length >= k || atEnd(), 30 * 24 * 3_600_000);
  await sim.drive(Promise.all(jobs.map((job) => sim.handlers.startJob(owner, job.id))));
  sim.queue.crashesEnabled = true;
  await sim.run();
  const finals = await sim.drive(Promise.all(jobs.map((job) => sim.handlers.getJob(owner, job.id))));
  const results = (await sim.drive(Promise.all(jobs.map((job) => sim.store.inner.count(resultsPath(job.id)))))).reduce((a, b) => a + b, 0);
  const occByJob = jobs.map((job) => occupancies(sim, job.id, o.rows));
  const occ = occByJob.flat();
  const endOf = (jobId: string): number => (sim.finished.find((f) => f.jobId === jobId) ?? sim.paused.find((f) => f.jobId === jobId))?.at ?? sim.clock.now();
  const end = Math.max(...jobs.map((job) => endOf(job.id)));
  const makespan = end - t0;
  const allCalls = ledger.totalServed;
  const governed = o.quotaRpm !== undefined || configuredRpm !== undefined;
  const idealOf = (j: number): number =>
    governed
      ? quotaIdealMs({
          latencies: ledger.jobs[j]?.latencies ?? [],
          concurrency: o.concurrency,
          allCalls,
          ...(o.quotaRpm !== undefined ? { quotaRpm: o.quotaRpm } : {}),
        })
      : idealMakespan(occByJob[j] ?? [], o.concurrency);
  const ideal = Math.max(...jobs.map((_, j) => idealOf(j)));
  const perJob = jobs.map((job, j) => ({
    jobId: job.id,
    efficiency: ratio(idealOf(j), endOf(job.id) - t0),
    aiCallsPerMin: round(steadyCallsPerMin(ledger.jobs[j]?.servedAt ?? [], t0, endOf(job.id)), 1),
    status: finals[j]?.status ?? "unknown",
  }));
  const writes = sim.store.writeStats();
  const totalRows = o.rows * k;
  const exact = await sim.drive(Promise.all(jobs.map((job) => exactProgress(sim.store.inner, job.id))));
  // A paused job counts the rows it ran once each; a finished one every row.
  const runs = (j: number): number => (finals[j] && isPaused(finals[j].status) ? (exact[j]?.completed ?? 0) + (exact[j]?.failed ?? 0) : o.rows);
  const expectedCounted = jobs.reduce((n, _, j) => n + runs(j), 0);
  const finishedJobs = finals.filter((f) => !isPaused(f.status)).length;
  const countedOnce =
    [...sim.counted.values()].every((c) => c === 1) &&
    sim.counted.size === expectedCounted &&
    finals.every((f, j) => isPaused(f.status) || f.completedRows + f.failedRows === runs(j)) &&
    results === expectedCounted &&
    sim.finished.length === finishedJobs &&
    sim.terminalWrites.length === finishedJobs;
  const simAi = sim.ai instanceof SimAi ? sim.ai : null;
  return {
    rows: o.rows,
    concurrency: o.concurrency,
    seed: o.seed,
    faults: o.faults,
    latencyMs: o.latencyMs,
    latencySigma: o.latencySigma,
    status: finals[0]?.status ?? "unknown",
    makespanMs: Math.round(makespan),
    idealMakespanMs: Math.round(ideal),
    efficiency: ratio(ideal, makespan),
    maxInFlight: sim.maxInFlight,
    maxDocWritesPerSec: round(writes.maxPer10s / 10, 2),
    contention: sim.store.contention ? { ...sim.store.contention.stats, delayMs: Math.round(sim.store.contention.stats.delayMs) } : null,
    busiestDoc: writes.busiest,
    writesPerRow: round(writes.writes / totalRows, 3),
    readsPerRow: round(sim.store.reads / totalRows, 3),
    rowsPerResultCommit: sim.resultCommits > 0 ? round(results / sim.resultCommits, 2) : 0,
    completedRows: finals.reduce((n, f) => n + f.completedRows, 0),
    failedRows: finals.reduce((n, f) => n + f.failedRows, 0),
    countedOnce,
    stuckRows: expectedCounted - results,
    terminalTransitions: sim.terminalWrites.length,
    compare: { groupDispatch: ratio(ideal, groupMakespan(occ, o.concurrency)), strideChains: ratio(ideal, strideMakespan(occ, o.concurrency)) },
    queue: { ...sim.queue.stats },
    writesPerRowByKind: perRow(writes.byKind, totalRows),
    readsPerRowByKind: perRow(sim.store.readsByKind, totalRows),
    triggerDeliveries: sim.triggerDeliveries,
    aiCalls: simAi ? simAi.calls : 0,
    ai429s: simAi ? simAi.rateLimited : 0,
    aiCallsPerMin: round(
      steadyCallsPerMin(
        ledger.jobs.flatMap((j) => j.servedAt),
        t0,
        end,
      ),
      1,
    ),
    quotaRpm: o.quotaRpm ?? null,
    configuredRpm: configuredRpm ?? null,
    jobs: k,
    perJob,
    queueMaxPerSecond: sim.queue.limits.maxDispatchesPerSecond,
    queueMaxConcurrent: sim.queue.limits.maxConcurrentDispatches,
    governorWritesPerCall: configuredRpm !== undefined && simAi && simAi.calls > 0 ? round((writes.byPrefix.get("governor") ?? 0) / simAi.calls, 3) : null,
    spentUsd: round(
      exact.reduce((a, e) => a + (e?.costUsd ?? 0), 0),
      9,
    ),
    budgetUsd: o.budgetUsd ?? null,
    pricePerCallUsd: o.pricePerCallUsd ?? null,
    pausedReason: finals[0]?.pausedReason ?? null,
    tail: o.tail && jobs[0] ? tailReport({ attempts: sim.attempts, lanes: sim.laneStates, jobId: jobs[0].id, t0, end: endOf(jobs[0].id) }) : null,
    realMs: Date.now() - realStart,
  };
}

/** Engine time per row of one job, summed over its attempts. */
function occupancies(sim: Simulation, jobId: string, rows: number): number[] {
  const occ = new Array<number>(rows).fill(0);
  for (const a of sim.attempts) if (a.jobId === jobId) occ[a.rowIndex] = (occ[a.rowIndex] ?? 0) + (a.end - a.start);
  return occ;
}

function perRow(m: ReadonlyMap<string, number>, rows: number): Record<string, number> {
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / rows, 3)]));
}

/** A scenario's job is done: terminal, or paused (a breaker or budget pause waits for a resume no scenario gives). */
function restsHere(status: string | undefined): boolean {
  const parsed = JobStatus.safeParse(status);
  return parsed.success && (isTerminal(parsed.data) || isPaused(parsed.data));
}

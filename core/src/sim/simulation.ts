/**
 * One simulated deployment: the REAL batch handlers over the in-memory store, a simulated Cloud
 * Tasks queue, simulated trigger delivery and a simulated AI, all in virtual time on a ManualClock,
 * deterministic for a seed. It records what the invariants and metrics need (row attempts in flight,
 * counts, terminal transitions); `report.ts` turns that into figures.
 */
import type { AiService, TextRequest } from "../ai/port";
import type { Governor } from "../governor/port";
import type { PriceTable } from "../governor/prices";
import type { BatchHandlers, RowTask } from "../batch/api";
import { createBatchHandlers } from "../batch/handlers";
import { JobStatus } from "../batch/model";
import { isTerminal } from "../batch/statuses";
import { DEFAULT_LIMITS, type BatchLimits } from "../batch/limits";
import { flushAsync, ManualClock } from "../testing/manual-clock";
import { MemoryBlobStore } from "../testing/memory-blob-store";
import type { CommittedWrite } from "../testing/memory-store";
import { silentLogger } from "../logger";
import type { Doc, DocumentStore } from "../ports/store";
import type { RetryPolicy } from "../ports/task-queue";
import { DEFAULT_LATENCY, type FaultRates, type PlatformLatency } from "./faults";
import { SimAi } from "./fake-ai";
import { Rng } from "./random";
import { SimQueue, type QueueRateLimits } from "./sim-queue";
import { SimStore } from "./sim-store";
import type { ContentionModel } from "./contention";
import type { LaneState } from "./tail";

export interface SimConfig {
  seed: number;
  faults: FaultRates;
  latencyMs: number;
  latencySigma: number;
  latency?: PlatformLatency;
  /** Firestore's per-document contention (contention.ts); absent or null: not modelled. */
  contention?: ContentionModel | null;
  retry?: RetryPolicy;
  limits?: Partial<BatchLimits>;
  /** Replace the simulated AI (e.g. the offline provider with test markers). */
  ai?: (clock: ManualClock) => AiService;
  /** The delay the simulated AI's 429s ask for (default 1 s, within the engine's own retry). */
  retryAfterMs?: number;
  /** Every N ms of virtual time the host calls reconcile() while work is open. */
  reconcileEveryMs?: number;
  /** The provider's per-model quota (requests/min); absent = unlimited. */
  quotaRpm?: number;
  /** Puts a governor in front of every AI call (shared by every job), built over the simulated store. */
  governor?: (clock: ManualClock, store: DocumentStore) => Governor;
  /** The row queue's rate limits (default: the deployed ones, DEPLOYED_ROW_QUEUE_LIMITS). */
  queueLimits?: QueueRateLimits;
  /** Called for every AI call the simulated provider served. */
  onServed?: (req: TextRequest, at: number, latencyMs: number) => void;
  /** The price table rows are costed with (e.g. a flat price per call). */
  prices?: PriceTable;
  /** Keep every lane document's committed position in `laneStates` (for the tail report). */
  recordLanes?: boolean;
}

export interface Attempt {
  jobId: string;
  rowIndex: number;
  pass: number;
  start: number;
  end: number;
  lane: string;
  /** The row's attempt number (0-based, across its re-enqueued tasks). */
  attempt: number;
  status: string;
  /** The delay the provider asked for when the attempt failed retryably. */
  retryAfterMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, minBackoffMs: 1_000, maxBackoffMs: 60_000, maxDoublings: 4 };

export class Simulation {
  readonly clock = new ManualClock(0);
  readonly rng: Rng;
  readonly store: SimStore;
  readonly queue: SimQueue<RowTask>;
  readonly handlers: BatchHandlers;
  /** The AI the handlers call (a SimAi unless the config replaced it). */
  readonly ai: AiService;
  readonly attempts: Attempt[] = [];
  /** `${jobId}:${pass}:${row}` → times counted. */
  readonly counted = new Map<string, number>();
  readonly finished: { jobId: string; status: string; at: number }[] = [];
  readonly paused: { jobId: string; reason: string; at: number }[] = [];
  /** Job-doc status changes into a terminal status, as seen in the store's commits (not the observer). */
  readonly terminalWrites: { jobId: string; status: string; at: number }[] = [];
  private readonly lastStatus = new Map<string, string>();
  inFlight = 0;
  maxInFlight = 0;
  triggerDeliveries = 0;
  /** Commits that created or replaced more than one result document (a lane's group of rows). */
  groupCommits = 0;
  /** Commits that wrote at least one result document. */
  resultCommits = 0;
  private readonly open = new Map<string, { start: number; lane: string }>();
  /** Lane documents' committed positions, when `recordLanes` is set. */
  readonly laneStates: LaneState[] = [];

  constructor(readonly config: SimConfig) {
    this.rng = new Rng(config.seed);
    const latency = config.latency ?? DEFAULT_LATENCY;
    const platformRng = this.rng.forkSalted(1);
    this.store = new SimStore({
      clock: this.clock,
      rng: platformRng,
      latency,
      onCreate: (doc) => this.onCreate(doc),
      onCommit: (writes) => this.watchStatus(writes),
      // Its own stream, seeded apart, so the other streams draw the same with it on or off.
      ...(config.contention ? { contention: { model: config.contention, rng: new Rng(config.seed ^ 0x5c0e) } } : {}),
    });
    this.queue = new SimQueue<RowTask>({
      clock: this.clock,
      rng: this.rng.forkSalted(2),
      latency,
      faults: config.faults,
      retry: config.retry ?? DEFAULT_RETRY,
      ...(config.queueLimits ? { rateLimits: config.queueLimits } : {}),
    });
    const ai = (this.ai =
      config.ai?.(this.clock) ??
      new SimAi({
        clock: this.clock,
        rng: this.rng.forkSalted(3),
        meanMs: config.latencyMs,
        sigma: config.latencySigma,
        transient429: config.faults.transient429,
        permanent: config.faults.permanent,
        rejectionMs: latency.aiRejection,
        ...(config.retryAfterMs !== undefined ? { retryAfterMs: config.retryAfterMs } : {}),
        ...(config.quotaRpm !== undefined ? { quotaRpm: config.quotaRpm } : {}),
        ...(config.onServed ? { onServed: config.onServed } : {}),
      }));
    const governor = config.governor?.(this.clock, this.store);
    let n = 0;
    this.handlers = createBatchHandlers({
      store: this.store,
      queue: this.queue,
      blobs: new MemoryBlobStore(),
      ai,
      clock: this.clock,
      ids: { newId: () => `job${String(++n).padStart(4, "0")}` },
      logger: silentLogger,
      limits: { ...DEFAULT_LIMITS, rowTimeoutMs: 5 * 60_000, maxActiveJobsPerOwner: 1_000, ...config.limits },
      ...(governor ? { engine: { governor } } : {}),
      ...(config.prices ? { prices: config.prices } : {}),
      observer: {
        rowStarted: (e) => this.rowStarted(e),
        rowEnded: (e) => this.rowEnded(e),
        rowCounted: (e) => {
          const key = `${e.jobId}:${e.pass}:${e.rowIndex}`;
          this.counted.set(key, (this.counted.get(key) ?? 0) + 1);
        },
        jobFinished: (e) => this.finished.push(e),
        jobPaused: (e) => this.paused.push(e),
      },
    });
    this.queue.setHandler((task, ctx) => this.handlers.runRowTask(task, ctx));
  }

  private rowStarted(e: { jobId: string; rowIndex: number; pass: number; attempt: number; at: number; lane?: string }): void {
    this.open.set(`${e.jobId}:${e.pass}:${e.rowIndex}:${e.attempt}`, { start: e.at, lane: e.lane ?? "" });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  private rowEnded(e: { jobId: string; rowIndex: number; pass: number; attempt: number; at: number; status: string; retryAfterMs?: number }): void {
    const key = `${e.jobId}:${e.pass}:${e.rowIndex}:${e.attempt}`;
    const o = this.open.get(key);
    this.open.delete(key);
    this.inFlight -= 1;
    const { jobId, rowIndex, pass, attempt, status, retryAfterMs } = e;
    const at = { start: o?.start ?? e.at, end: e.at, lane: o?.lane ?? "" };
    this.attempts.push({ jobId, rowIndex, pass, attempt, status, ...at, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  /** A job's status as last committed to the store (undefined before its first write). */
  statusOf(jobId: string): string | undefined {
    return this.lastStatus.get(jobId);
  }

  private watchStatus(writes: CommittedWrite[]): void {
    const results = writes.filter((w) => /^batch_jobs\/[^/]+\/results\/[^/]+$/.test(w.path) && w.data !== null).length;
    if (results > 0) this.resultCommits += 1;
    if (results > 1) this.groupCommits += 1;
    for (const w of writes) {
      const lane = this.config.recordLanes ? /^batch_jobs\/([^/]+)\/lanes\/([^/]+)$/.exec(w.path) : null;
      if (lane?.[1] && lane[2] && w.data)
        this.laneStates.push({ jobId: lane[1], at: w.time, lane: lane[2], current: typeof w.data.current === "number" ? w.data.current : null });
      const m = /^batch_jobs\/([^/]+)$/.exec(w.path);
      const status = w.data?.status;
      if (!m?.[1] || typeof status !== "string") continue;
      const before = this.lastStatus.get(m[1]);
      this.lastStatus.set(m[1], status);
      if (before !== status && isTerminalStatus(status)) {
        this.terminalWrites.push({ jobId: m[1], status, at: w.time });
      }
    }
  }

  /** Firestore trigger delivery for created result docs: late, maybe twice, retried on failure. */
  private onCreate(doc: Doc): void {
    if (!/^batch_jobs\/[^/]+\/results\/[^/]+$/.test(doc.path)) return;
    const latency = this.config.latency ?? DEFAULT_LATENCY;
    const rng = this.rng;
    const deliver = (delay: number): void => {
      this.clock.schedule(delay, () => {
        this.triggerDeliveries += 1;
        this.handlers.onResultCreated(doc).then(
          () => undefined,
          () => deliver(rng.uniform(...latency.triggerRetry)),
        );
      });
    };
    deliver(rng.uniform(...latency.triggerDelivery));
    if (rng.chance(this.config.faults.duplicateTrigger)) deliver(rng.uniform(...latency.triggerDelivery));
  }

  /** Starts periodic reconcile calls that stop once every job is terminal (or at `until`). */
  startReconciler(isDone: () => boolean, until: number): void {
    const every = this.config.reconcileEveryMs ?? 60_000;
    const tick = (): void => {
      if (isDone() || this.clock.now() > until) return;
      // A crash inside reconcile (e.g. before a re-drive's enqueue) just fails this run; the next tick retries.
      void this.handlers
        .reconcile()
        .catch(() => undefined)
        .finally(() => this.clock.schedule(every, tick));
    };
    this.clock.schedule(every, tick);
  }

  /** Drives virtual time until `p` settles (handlers wait on the virtual clock, so awaiting alone would hang). */
  async drive<T>(p: Promise<T>): Promise<T> {
    let settled = false;
    const watched = p.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    for (let idle = 0; !settled;) {
      await flushAsync();
      if (settled) break;
      if (this.clock.step()) idle = 0;
      else if (++idle > 3) throw new Error("simulation deadlock: nothing scheduled and the call has not settled");
    }
    return watched;
  }

  /**
   * Runs virtual time until nothing is scheduled. (Not `until`: the clock would then jump to it.)
   * The reconciler stops re-arming at its own limit, so a wedged job still ends the run.
   */
  async run(): Promise<void> {
    await this.clock.runUntilIdle();
  }
}

/** A status written to a job document (untyped store data) that is terminal. */
function isTerminalStatus(status: string): boolean {
  const parsed = JobStatus.safeParse(status);
  return parsed.success && isTerminal(parsed.data);
}

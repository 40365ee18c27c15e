/**
 * A simulated Cloud Tasks queue in virtual time: deterministic ids (a used id stays "exists"),
 * dispatch latency, duplicate deliveries, retries with Cloud Tasks' backoff (task-backoff.ts, the
 * same rule as every queue adapter) until `maxAttempts` (negative: unlimited), after which the task
 * is dropped. A duplicate delivery carries the same
 * attempt number as its original; its outcome does not schedule retries (the original's does).
 * `crashBeforeEnqueue` makes an enqueue throw before it happens (a crash after the caller's commit).
 * The queue's rate limits are modelled as Cloud Tasks applies them to every dispatch (first
 * attempts, retries and duplicates alike): at most `maxConcurrentDispatches` deliveries running,
 * and dispatches drawn from a token bucket refilled at `maxDispatchesPerSecond` holding
 * `maxBurstSize` tokens (Cloud Tasks picks the burst from the rate; here rate / 5, at least 1).
 * A due task waits, in due order, until both allow it.
 */
import type { ManualClock } from "../testing/manual-clock";
import { DEPLOYED_ROW_QUEUE_LIMITS, type RetryPolicy, type TaskContext, type TaskHandler, type TaskQueue } from "../ports/task-queue";
import { deliveryContext, retryBackoffMs } from "../ports/task-backoff";
import { TokenBucket } from "../token-bucket";
import { SimCrash, type FaultRates, type PlatformLatency } from "./faults";
import type { Rng } from "./random";

export interface SimQueueStats {
  enqueued: number;
  exists: number;
  deliveries: number;
  duplicates: number;
  retries: number;
  dropped: number;
  crashes: number;
  lost: number;
  running: number;
  /** Enqueues that asked for a delay (a re-enqueued retry, or its repair). */
  delayed: number;
  /** Dispatches that were due but waited for the queue's rate or concurrency limit. */
  throttled: number;
  /** Most deliveries running at once. */
  maxRunning: number;
}

export interface QueueRateLimits {
  maxDispatchesPerSecond: number;
  maxConcurrentDispatches: number;
}

interface Due {
  id: string;
  payload: unknown;
  attempt: number;
  duplicate: boolean;
}

export class SimQueue<P> implements TaskQueue<P> {
  private readonly ids = new Set<string>();
  private handler: TaskHandler<P> | null = null;
  /** Crashes are injected only once the driver enables them (not during its own set-up calls). */
  crashesEnabled = false;
  readonly stats: SimQueueStats = {
    enqueued: 0,
    exists: 0,
    deliveries: 0,
    duplicates: 0,
    retries: 0,
    dropped: 0,
    crashes: 0,
    lost: 0,
    running: 0,
    delayed: 0,
    throttled: 0,
    maxRunning: 0,
  };
  readonly limits: QueueRateLimits;
  private readonly bucket: TokenBucket;
  private readonly waiting: Due[] = [];
  private pumpArmed = false;

  constructor(
    private readonly o: { clock: ManualClock; rng: Rng; latency: PlatformLatency; faults: FaultRates; retry: RetryPolicy; rateLimits?: QueueRateLimits },
  ) {
    this.limits = o.rateLimits ?? DEPLOYED_ROW_QUEUE_LIMITS;
    this.bucket = new TokenBucket(this.limits.maxDispatchesPerSecond, o.clock.now(), Math.floor(this.limits.maxDispatchesPerSecond / 5));
  }

  setHandler(h: TaskHandler<P>): void {
    this.handler = h;
  }

  async enqueue(task: { id: string; payload: P; delayMs?: number }): Promise<"enqueued" | "exists"> {
    const { clock, rng, latency, faults } = this.o;
    await clock.sleep(rng.uniform(...latency.enqueue));
    if (this.crashesEnabled && rng.chance(faults.crashBeforeEnqueue)) {
      this.stats.crashes += 1;
      throw new SimCrash("before enqueue");
    }
    if (this.ids.has(task.id)) {
      this.stats.exists += 1;
      return "exists";
    }
    this.ids.add(task.id);
    this.stats.enqueued += 1;
    if ((task.delayMs ?? 0) > 0) this.stats.delayed += 1;
    this.schedule(task.id, task.payload, 0, (task.delayMs ?? 0) + rng.uniform(...latency.taskDispatch));
    return "enqueued";
  }

  async delete(): Promise<void> {
    // Tasks are never removed early in the simulation.
  }

  private schedule(id: string, payload: P, attempt: number, delayMs: number): void {
    const { clock, rng, latency, faults } = this.o;
    if (rng.chance(faults.dropTask ?? 0)) {
      this.stats.lost += 1;
      return;
    }
    clock.schedule(delayMs, () => this.due({ id, payload, attempt, duplicate: false }));
    if (rng.chance(faults.duplicateTask)) {
      this.stats.duplicates += 1;
      clock.schedule(delayMs + rng.uniform(...latency.duplicateTaskDelay), () => this.due({ id, payload, attempt, duplicate: true }));
    }
  }

  /** A dispatch is due: it goes out now if the queue's limits allow, else waits its turn. */
  private due(d: Due): void {
    if (this.waiting.length > 0 || !this.canDispatch()) this.stats.throttled += 1;
    this.waiting.push(d);
    this.pump();
  }

  private canDispatch(): boolean {
    return this.stats.running < this.limits.maxConcurrentDispatches && this.bucket.available(this.o.clock.now()) >= 1;
  }

  /** Dispatches waiting tasks in due order while the limits allow; re-arms for the next token. */
  private pump(): void {
    while (this.waiting.length > 0 && this.canDispatch()) {
      const d = this.waiting.shift() as Due;
      this.bucket.take(this.o.clock.now());
      this.deliver(d.id, d.payload as P, d.attempt, d.duplicate);
    }
    // Waiting on a token (a finishing delivery pumps again when concurrency was the limit).
    const now = this.o.clock.now();
    if (this.waiting.length > 0 && this.bucket.available(now) < 1 && !this.pumpArmed) {
      this.pumpArmed = true;
      this.o.clock.schedule(Math.max(1, this.bucket.msToNextToken(now)), () => {
        this.pumpArmed = false;
        this.pump();
      });
    }
  }

  private deliver(id: string, payload: P, attempt: number, duplicate: boolean): void {
    const handler = this.handler;
    if (!handler) throw new Error("no task handler");
    const ctx: TaskContext = deliveryContext(this.o.retry, attempt, id);
    this.stats.deliveries += 1;
    this.stats.running += 1;
    this.stats.maxRunning = Math.max(this.stats.maxRunning, this.stats.running);
    handler(payload, ctx).then(
      () => {
        this.stats.running -= 1;
        this.pump();
      },
      () => {
        this.stats.running -= 1;
        this.pump();
        if (duplicate) return;
        if (ctx.isLastAttempt) {
          this.stats.dropped += 1;
          return;
        }
        this.stats.retries += 1;
        this.schedule(id, payload, attempt + 1, retryBackoffMs(this.o.retry, attempt + 1));
      },
    );
  }
}

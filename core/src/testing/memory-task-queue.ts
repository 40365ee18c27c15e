/**
 * In-memory TaskQueue with Cloud Tasks semantics, driven by an injected Clock (a ManualClock or
 * the simulator's virtual clock: no real timers then). Dedup by id while a task exists and for
 * `idReuseWindowMs` after it finished or was deleted; delayed tasks; retries with Cloud Tasks'
 * backoff; queue-wide concurrency and dispatch-rate limits; optional injected duplicate
 * deliveries (at least once). One wake-up timer at a time: the earliest due task or token.
 */
import type { Clock } from "../ports/clock";
import { DEFAULT_ID_REUSE_WINDOW_MS, deliveryContext, isLastAttempt, retryBackoffMs, TASK_ID_PATTERN } from "../ports/task-backoff";
import type { QueueLimits, RetryPolicy, TaskContext, TaskHandler, TaskQueue } from "../ports/task-queue";
import { MinHeap } from "./min-heap";
import { TokenBucket } from "../token-bucket";

export interface MemoryTaskQueueOptions<P> {
  handler: TaskHandler<P>;
  clock: Clock;
  retry: RetryPolicy;
  limits: QueueLimits;
  /** Randomness for injected faults; defaults to Math.random. */
  random?: () => number;
  faults?: {
    /** Probability that an attempt is delivered a second time (at once, or a little later). */
    duplicateDeliveryRate?: number;
  };
  /** How long a finished or deleted id stays reserved. Default 1 hour, like Cloud Tasks. */
  idReuseWindowMs?: number;
  /** Observes every delivery (tests, simulator traces). */
  onDispatch?: (event: DispatchEvent) => void;
}

export interface DispatchEvent {
  taskId: string;
  retryCount: number;
  time: number;
  duplicate: boolean;
  outcome: "started" | "succeeded" | "failed";
}

export interface MemoryTaskQueueStats {
  enqueued: number;
  /** Deliveries, duplicates included. */
  dispatches: number;
  retries: number;
  duplicates: number;
  succeeded: number;
  /** Tasks dropped after their last attempt failed. */
  exhausted: number;
  deleted: number;
  maxConcurrent: number;
}

type TaskState = "queued" | "running" | "done";

interface Entry<P> {
  id: string;
  payload: P;
  dueAt: number;
  seq: number;
  retryCount: number;
  state: TaskState;
  /** When it finished or was deleted (for the id reuse window). */
  endedAt: number;
}

export class MemoryTaskQueue<P = unknown> implements TaskQueue<P> {
  private readonly entries = new Map<string, Entry<P>>();
  private readonly due = new MinHeap<Entry<P>>((a, b) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq));
  private readonly bucket: TokenBucket;
  private readonly random: () => number;
  private readonly reuseWindowMs: number;
  private seq = 0;
  private running = 0;
  private pendingDuplicates = 0;
  private queued = 0;
  private pumpQueued = false;
  private closed = false;
  private wake: { at: number; abort: AbortController } | null = null;
  private waiters: (() => void)[] = [];
  readonly stats: MemoryTaskQueueStats = {
    enqueued: 0,
    dispatches: 0,
    retries: 0,
    duplicates: 0,
    succeeded: 0,
    exhausted: 0,
    deleted: 0,
    maxConcurrent: 0,
  };

  constructor(private readonly opts: MemoryTaskQueueOptions<P>) {
    if (!(opts.limits.maxConcurrentDispatches >= 1)) throw new Error("maxConcurrentDispatches must be at least 1");
    if (opts.retry.maxAttempts === 0) throw new Error("retry.maxAttempts must be positive (or negative for unlimited)");
    this.bucket = new TokenBucket(opts.limits.maxDispatchesPerSecond, opts.clock.now());
    this.random = opts.random ?? Math.random;
    this.reuseWindowMs = opts.idReuseWindowMs ?? DEFAULT_ID_REUSE_WINDOW_MS;
  }

  async enqueue(task: { id: string; payload: P; delayMs?: number }): Promise<"enqueued" | "exists"> {
    if (!TASK_ID_PATTERN.test(task.id)) throw new Error(`invalid task id "${task.id}": use [A-Za-z0-9_-], at most 500 chars`);
    const now = this.opts.clock.now();
    const existing = this.entries.get(task.id);
    if (existing && (existing.state !== "done" || now - existing.endedAt < this.reuseWindowMs)) return "exists";
    const entry: Entry<P> = {
      id: task.id,
      payload: structuredClone(task.payload),
      dueAt: now + Math.max(0, task.delayMs ?? 0),
      seq: this.seq++,
      retryCount: 0,
      state: "queued",
      endedAt: 0,
    };
    this.entries.set(task.id, entry);
    this.stats.enqueued++;
    this.pushDue(entry);
    return "enqueued";
  }

  async delete(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry || entry.state !== "queued") return;
    entry.state = "done";
    entry.endedAt = this.opts.clock.now();
    this.queued--;
    this.stats.deleted++;
    this.notify();
  }

  /** Tasks queued (waiting or delayed) plus deliveries running. */
  get size(): { queued: number; running: number } {
    return { queued: this.queued, running: this.running };
  }

  /** True when nothing is queued, running, or about to be delivered again. */
  isIdle(): boolean {
    return this.queued === 0 && this.running === 0 && this.pendingDuplicates === 0;
  }

  /** Resolves once nothing is queued or running (time must be moved by whoever owns the clock). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => (this.isIdle() ? resolve() : this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  /**
   * Runs the queue dry. With a clock that can be driven (ManualClock), it moves virtual time
   * through retries and delays; otherwise it waits for real time.
   */
  async drain(): Promise<void> {
    const clock = this.opts.clock as Partial<DrivableClock>;
    while (!this.isIdle()) {
      if (typeof clock.runUntilIdle === "function" && clock.nextTimerAt?.() !== undefined) await clock.runUntilIdle();
      else await this.nextChange();
    }
  }

  /** Stops dispatching (running handlers finish; queued tasks stay queued). */
  close(): void {
    this.closed = true;
    this.wake?.abort.abort();
    this.wake = null;
  }

  /** Ids known to the queue with their state (for assertions). */
  state(id: string): TaskState | "absent" {
    return this.entries.get(id)?.state ?? "absent";
  }

  // ---- dispatch loop ----

  private pushDue(entry: Entry<P>): void {
    this.queued++;
    this.due.push(entry);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    const now = this.opts.clock.now();
    for (;;) {
      const next = this.peekLive();
      if (!next) return this.arm(null);
      if (next.dueAt > now) return this.arm(next.dueAt);
      if (this.running >= this.opts.limits.maxConcurrentDispatches) return this.arm(null);
      if (!this.bucket.tryTake(now)) return this.arm(this.bucket.nextTokenAt(now));
      this.due.pop();
      this.queued--;
      this.dispatch(next);
    }
  }

  /** The earliest queued entry, dropping deleted ones. */
  private peekLive(): Entry<P> | undefined {
    for (;;) {
      const top = this.due.peek();
      if (!top || top.state === "queued") return top;
      this.due.pop();
    }
  }

  /** Keeps one wake-up timer at the earliest time the loop needs to look again. */
  private arm(at: number | null): void {
    if (at === null || (this.wake && this.wake.at <= at)) return;
    this.wake?.abort.abort();
    const abort = new AbortController();
    const wake = { at, abort };
    this.wake = wake;
    this.opts.clock.sleep(Math.max(0, at - this.opts.clock.now()), abort.signal).then(
      () => {
        if (this.wake === wake) this.wake = null;
        this.pump();
      },
      () => {},
    );
  }

  private dispatch(entry: Entry<P>): void {
    entry.state = "running";
    const ctx: TaskContext = deliveryContext(this.opts.retry, entry.retryCount, entry.id);
    void this.deliver(entry, ctx, false).then((ok) => this.finish(entry, ok));
    this.maybeDuplicate(entry, ctx);
  }

  /** Runs the handler once; resolves true on success. Never rejects. */
  private async deliver(entry: Entry<P>, ctx: TaskContext, duplicate: boolean): Promise<boolean> {
    this.running++;
    this.stats.dispatches++;
    this.stats.maxConcurrent = Math.max(this.stats.maxConcurrent, this.running);
    this.emit(entry, ctx, duplicate, "started");
    let ok: boolean;
    try {
      await this.opts.handler(structuredClone(entry.payload), { ...ctx });
      ok = true;
    } catch {
      ok = false;
    }
    this.running--;
    this.emit(entry, ctx, duplicate, ok ? "succeeded" : "failed");
    return ok;
  }

  private finish(entry: Entry<P>, ok: boolean): void {
    const now = this.opts.clock.now();
    if (ok || isLastAttempt(this.opts.retry, entry.retryCount)) {
      entry.state = "done";
      entry.endedAt = now;
      if (ok) this.stats.succeeded++;
      else this.stats.exhausted++;
    } else {
      entry.retryCount++;
      entry.state = "queued";
      entry.dueAt = now + retryBackoffMs(this.opts.retry, entry.retryCount);
      entry.seq = this.seq++;
      this.stats.retries++;
      this.pushDue(entry);
    }
    this.notify();
    this.schedulePump();
  }

  /** At-least-once: sometimes deliver the same attempt again, at once or a little later. */
  private maybeDuplicate(entry: Entry<P>, ctx: TaskContext): void {
    const rate = this.opts.faults?.duplicateDeliveryRate ?? 0;
    if (rate <= 0 || this.random() >= rate) return;
    this.stats.duplicates++;
    const later = this.random() < 0.5;
    const delayMs = later ? Math.floor(this.random() * 2 * Math.max(1, this.opts.retry.minBackoffMs)) : 0;
    this.pendingDuplicates++; // the queue is not idle until the duplicate has run
    void this.opts.clock
      .sleep(delayMs)
      .then(() => this.deliver(entry, ctx, true))
      .then(() => {
        this.pendingDuplicates--;
        this.notify();
        this.schedulePump();
      });
  }

  private emit(entry: Entry<P>, ctx: TaskContext, duplicate: boolean, outcome: DispatchEvent["outcome"]): void {
    this.opts.onDispatch?.({ taskId: entry.id, retryCount: ctx.retryCount, time: this.opts.clock.now(), duplicate, outcome });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

interface DrivableClock {
  runUntilIdle(): Promise<void>;
  nextTimerAt(): number | undefined;
}

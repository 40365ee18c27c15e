/**
 * Durable task queue on SQLite with the core's Cloud Tasks semantics: tasks persist in `tasks`
 * (id unique, payload, runAt, attempts, state queued|running|done); a duplicate id resolves
 * "exists" while the task is queued, running or finished within the dedup window; a throwing
 * handler is retried per the RetryPolicy; dispatch respects an optional queue-wide concurrency cap
 * and dispatches-per-second token bucket (none by default). A dispatch holds a lease: when it expires (process died, or
 * the handler outlived its deadline) the task is delivered again. The loop is event driven: it
 * wakes on enqueue and completion and otherwise sleeps until the next runAt, lease expiry or token.
 */
import {
  RetryableError,
  deliveryContext,
  isLastAttempt,
  retryBackoffMs,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type QueueLimits,
  type RetryPolicy,
  type TaskHandler,
  type TaskQueue,
  TokenBucket,
} from "@flowcraft/core";
import { randomUUID } from "node:crypto";
import { errorFields } from "../log-error";
import type { Db } from "./open-db";
import { DueIndex, type QueuedTask } from "./due-index";
import type { BeforeWrite } from "./group-commit";
import { TaskStatements } from "./task-statements";

export interface SqliteTaskQueueOptions {
  db: Db;
  retry?: RetryPolicy;
  limits?: QueueLimits;
  clock?: Clock;
  logger?: Logger;
  /** A dispatch not finished within this is delivered again (Cloud Tasks' dispatch deadline). */
  leaseMs?: number;
  /** How long a finished or deleted task id stays reserved (Cloud Tasks: about an hour). */
  dedupWindowMs?: number;
  /** Called before each write (group commit). */
  beforeWrite?: BeforeWrite;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, minBackoffMs: 1_000, maxBackoffMs: 60_000, maxDoublings: 4 };
/**
 * No queue-wide cap by default: each batch's lanes already bound its rows in flight, and the AI-call
 * governor bounds calls per model, so a fixed dispatch cap here would only slow short rows down
 * (`--queue-concurrency` and `--queue-rate` set one when wanted).
 */
export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxConcurrentDispatches: Infinity, maxDispatchesPerSecond: Infinity };
const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;

export class SqliteTaskQueue<P = unknown> implements TaskQueue<P> {
  private readonly sql: TaskStatements;
  private readonly retry: RetryPolicy;
  private readonly limits: QueueLimits;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseMs: number;
  private readonly dedupWindowMs: number;
  private readonly bucket: TokenBucket;
  /** Running task id → lease id of the dispatch this process is running. */
  private readonly running = new Map<string, string>();
  private handler: TaskHandler<P> | null = null;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private lastPurge = 0;
  private readonly completions: [string, string, number][] = [];
  /** When the earliest lease this process handed out may expire. */
  private leaseCheckAt = 0;
  private stopped = false;
  private readonly settled = new Set<Promise<void>>();
  private readonly due = new DueIndex();

  constructor(opts: SqliteTaskQueueOptions) {
    this.sql = new TaskStatements(opts.db, opts.beforeWrite);
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.limits = opts.limits ?? DEFAULT_QUEUE_LIMITS;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.leaseMs = opts.leaseMs ?? 30 * 60_000;
    this.dedupWindowMs = opts.dedupWindowMs ?? 60 * 60_000;
    // At most a tenth of a second's dispatches at once, so bursts stay short.
    const rate = this.limits.maxDispatchesPerSecond;
    this.bucket = new TokenBucket(rate, this.clock.now(), Math.max(1, Math.floor(rate / 10)));
  }

  /**
   * Starts dispatching to `handler`. Tasks left running by a previous owner of the database (which
   * is gone: see owner-lock.ts) are due again at once.
   */
  start(handler: TaskHandler<P>): void {
    this.handler = handler;
    const reclaimed = this.sql.reclaimAll();
    if (reclaimed > 0) this.logger.info({ tasks: reclaimed }, "reclaimed tasks of a previous run");
    for (const t of this.sql.queued()) this.due.add(t);
    this.wake();
  }

  async enqueue(task: { id: string; payload: P; delayMs?: number }): Promise<"enqueued" | "exists"> {
    if (!TASK_ID.test(task.id)) throw new Error(`invalid task id "${task.id}": use 1-500 of [A-Za-z0-9_-]`);
    // A task queued or running in this process exists (the mirror and the running set are exact:
    // this process owns the file), so the usual re-ensure of a lane's task costs no SQL statement.
    // Finished ids within the dedup window are only in the table: the insert decides those.
    if (this.due.has(task.id) || this.running.has(task.id)) return "exists";
    const now = this.clock.now();
    const runAt = now + Math.max(0, task.delayMs ?? 0);
    const payload = JSON.stringify(task.payload ?? null);
    const result = this.sql.insert(task.id, payload, runAt, now - this.dedupWindowMs);
    if (result === "enqueued") {
      this.due.add({ id: task.id, runAt, payload, attempts: 0 });
      if (runAt < this.timerAt) this.wake();
    }
    return result;
  }

  async delete(id: string): Promise<void> {
    this.due.remove(id);
    this.sql.tombstone(id, this.clock.now());
  }

  /** Counts by state, for tests and diagnostics. */
  stats(): { queued: number; running: number; done: number } {
    return this.sql.stats();
  }

  private wake(): void {
    if (this.scheduled || this.stopped || !this.handler) return;
    this.scheduled = true;
    // A microtask, not setImmediate: a lane's next row starts as soon as its previous row
    // committed, instead of after every other callback of this loop turn. Otherwise lanes whose
    // AI calls end in the same timer phase fall into lockstep and each cycle pays for all of them.
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped || !this.handler) return;
    const now = this.clock.now();
    if (now >= this.leaseCheckAt) {
      this.expireLeases(now);
      this.leaseCheckAt = this.sql.nextLeaseExpiry() ?? Infinity;
    }
    this.maybePurge(now);
    let wakeAt = Infinity;
    const free = this.limits.maxConcurrentDispatches - this.running.size;
    if (free > 0) {
      const tokens = this.bucket.available(now);
      const want = Math.min(free, tokens);
      const rows = this.due.takeDue(now, want);
      if (rows.length > 0) this.dispatchAll(rows, now);
      if (rows.length < want) wakeAt = Math.min(wakeAt, this.due.nextRunAt() ?? Infinity);
      else if (want === tokens && this.due.hasDue(now)) wakeAt = Math.min(wakeAt, this.bucket.nextTokenAt(now));
    }
    this.arm(Math.min(wakeAt, this.leaseCheckAt));
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = at;
    if (at === Infinity || this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.wake();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private dispatchAll(rows: QueuedTask[], now: number): void {
    const leaseIds = rows.map(() => randomUUID());
    this.sql.leaseMany(rows, leaseIds, now + this.leaseMs);
    this.leaseCheckAt = Math.min(this.leaseCheckAt, now + this.leaseMs);
    rows.forEach((row, i) => {
      this.bucket.take(now);
      this.run(row, leaseIds[i] as string);
    });
  }

  private run(row: QueuedTask, leaseId: string): void {
    this.running.set(row.id, leaseId);
    const attempts = row.attempts + 1;
    const ctx = deliveryContext(this.retry, row.attempts, row.id);
    const handler = this.handler as TaskHandler<P>;
    const next = { ...row, attempts };
    const done = Promise.resolve()
      .then(() => handler(JSON.parse(row.payload) as P, ctx))
      .then(
        () => this.finish(next, leaseId, null),
        (err: unknown) => this.finish(next, leaseId, err),
      );
    this.settled.add(done);
    void done.finally(() => this.settled.delete(done));
  }

  private finish(task: QueuedTask, leaseId: string, err: unknown): void {
    const { id, attempts } = task;
    if (this.running.get(id) !== leaseId) return; // the lease expired: a newer dispatch owns the task
    this.running.delete(id);
    if (this.stopped) return; // the lease is reclaimed at the next start
    const now = this.clock.now();
    if (err === null) {
      this.queueCompletion(id, leaseId, now);
    } else if (isLastAttempt(this.retry, attempts - 1)) {
      this.logger.warn({ taskId: id, attempts, ...errorFields(err) }, "task failed on its last attempt");
      this.sql.complete(id, leaseId, now);
    } else {
      const hint = err instanceof RetryableError ? (err.retryAfterMs ?? 0) : 0;
      const delay = Math.max(retryBackoffMs(this.retry, attempts), hint);
      this.requeue(task, leaseId, now + delay);
    }
    this.wake();
  }

  private requeue(task: QueuedTask, leaseId: string, runAt: number): void {
    this.sql.requeue(task.id, leaseId, runAt);
    this.due.add({ ...task, runAt });
  }

  /**
   * Successful completions are written together once per loop turn: one SQLite commit for many
   * tasks. A crash before the write only means those tasks are delivered again (at least once).
   */
  private queueCompletion(id: string, leaseId: string, now: number): void {
    this.completions.push([id, leaseId, now]);
    if (this.completions.length === 1) setImmediate(() => this.flushCompletions());
  }

  private flushCompletions(): void {
    if (this.completions.length === 0) return;
    this.sql.completeMany(this.completions.splice(0));
  }

  /** Leases that outlived their deadline: the task is due again (counted as a failed attempt). */
  private expireLeases(now: number): void {
    for (const row of this.sql.expired(now)) {
      const attempts = row.attempts;
      this.running.delete(row.id);
      this.logger.warn({ taskId: row.id, attempts }, "task lease expired");
      const delay = isLastAttempt(this.retry, attempts - 1) ? 0 : retryBackoffMs(this.retry, attempts);
      this.requeue({ id: row.id, payload: row.payload, attempts, runAt: 0 }, row.lease_id ?? "", now + delay);
    }
  }

  /**
   * Deletes the queued tasks whose id contains `idPart` and drops every finished record of such
   * ids before the dedup window ends: for ids no one may enqueue again (a deleted batch's). A task
   * running now is left to finish (it finds no batch and does nothing).
   */
  forget(idPart: string): void {
    for (const id of this.sql.queuedIds(idPart)) this.due.remove(id);
    this.flushCompletions();
    this.sql.forgetQueuedAndDone(idPart);
  }

  private maybePurge(now: number): void {
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    this.sql.purge(now - this.dedupWindowMs);
  }

  /** Stops dispatching and waits up to `graceMs` for running handlers; unfinished ones run again next start. */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.flushCompletions();
    const all = Promise.all([...this.settled]);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (t = setTimeout(resolve, graceMs)))]);
    clearTimeout(t);
  }
}

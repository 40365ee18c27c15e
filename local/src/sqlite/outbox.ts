/**
 * Outbox pump: delivers "document created" events recorded by the store (in the same SQLite
 * transaction as the creation) to a callback, at least once. A row is deleted only after its
 * callback resolved; a failed delivery is retried with backoff; rows left by a crash are delivered
 * after the next start. Deliveries run with bounded parallelism, oldest first; the pump sleeps
 * until the store commits new rows (`wake`) instead of polling.
 */
import type { Doc, DocData, Logger } from "@flowcraft/core";
import type Database from "better-sqlite3";
import { errorFields } from "../log-error";
import type { BeforeWrite } from "./group-commit";
import type { Db } from "./open-db";

export interface OutboxOptions {
  db: Db;
  deliver: (doc: Doc) => Promise<void>;
  logger: Logger;
  /** Deliveries in flight at once. */
  parallelism?: number;
  /** Backoff after a failed delivery: min(maxRetryDelayMs, baseRetryDelayMs * 2^(attempts-1)). */
  baseRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Called before each write (group commit). */
  beforeWrite?: BeforeWrite;
}

interface OutboxRow {
  seq: number;
  path: string;
  data: string;
  attempts: number;
}

export class OutboxPump {
  private readonly inFlight = new Set<number>();
  /** Failed deliveries waiting for their backoff, by seq. */
  private readonly retrying = new Map<number, { row: OutboxRow; due: number }>();
  /** Highest seq taken from the table; rows above it have not been started yet. */
  private highWater = 0;
  /** Delivered rows not yet deleted: deleted together at the start of the next pass. */
  private readonly delivered = new Set<number>();
  private readonly removeMany: (seqs: number[]) => void;
  private readonly stmts: { next: Database.Statement; remove: Database.Statement; failed: Database.Statement };
  private scheduled = false;
  /** Rows may have been added since the table was last read (true at start: a crash may have left some). */
  private dirty = true;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: OutboxOptions) {
    this.stmts = {
      next: opts.db.prepare("SELECT seq, path, data, attempts FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
      remove: opts.db.prepare("DELETE FROM outbox WHERE seq = ?"),
      failed: opts.db.prepare("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?"),
    };
    this.removeMany = opts.db.transaction((seqs: number[]) => {
      for (const seq of seqs) this.stmts.remove.run(seq);
    });
  }

  /** Schedules a pass soon (coalesced). Call after commits that may have added rows. */
  wake(): void {
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private flushDelivered(): void {
    if (this.delivered.size === 0) return;
    this.opts.beforeWrite?.();
    this.removeMany([...this.delivered]);
    this.delivered.clear();
  }

  private pump(): void {
    this.flushDelivered();
    if (this.stopped) return;
    const limit = this.opts.parallelism ?? 8;
    const now = Date.now();
    let nextRetry = Infinity;
    for (const [seq, r] of this.retrying) {
      if (this.inFlight.size >= limit) break;
      if (r.due > now) {
        nextRetry = Math.min(nextRetry, r.due);
        continue;
      }
      this.retrying.delete(seq);
      this.start(r.row);
    }
    // Rows above the high-water mark are new (committed since the last pass, or left by a crash).
    // The table is read only after a wake-up said rows were added, or when the parallelism limit
    // cut the last read short.
    if (this.dirty) {
      this.dirty = false;
      while (this.inFlight.size < limit) {
        const want = limit - this.inFlight.size;
        const rows = this.stmts.next.all(this.highWater, want) as OutboxRow[];
        for (const row of rows) {
          this.highWater = row.seq;
          this.start(row);
        }
        if (rows.length < want) break;
      }
      if (this.inFlight.size >= limit) this.dirty = true;
    }
    this.armTimer(nextRetry);
    this.notifyIdle();
  }

  private armTimer(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (at === Infinity || this.stopped) return;
    this.timer = setTimeout(() => this.schedule(), Math.max(0, at - Date.now()));
  }

  private start(row: OutboxRow): void {
    this.inFlight.add(row.seq);
    const id = row.path.slice(row.path.lastIndexOf("/") + 1);
    const doc: Doc = { id, path: row.path, data: JSON.parse(row.data) as DocData };
    this.opts
      .deliver(doc)
      .then(
        () => {
          this.delivered.add(row.seq);
        },
        (err: unknown) => {
          const attempts = row.attempts + 1;
          const base = this.opts.baseRetryDelayMs ?? 200;
          const delay = Math.min(this.opts.maxRetryDelayMs ?? 30_000, base * 2 ** Math.min(attempts - 1, 20));
          this.retrying.set(row.seq, { row: { ...row, attempts }, due: Date.now() + delay });
          this.opts.beforeWrite?.();
          this.stmts.failed.run(row.seq);
          this.opts.logger.warn({ path: row.path, attempts, ...errorFields(err) }, "outbox delivery failed");
        },
      )
      .finally(() => {
        this.inFlight.delete(row.seq);
        this.notifyIdle();
        this.schedule();
      });
  }

  private notifyIdle(): void {
    if (this.inFlight.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when no delivery is in flight. */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops delivering; rows not yet delivered stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await new Promise<void>((resolve) => {
      if (this.inFlight.size === 0) return resolve();
      this.idleWaiters.push(resolve);
    });
    this.flushDelivered();
  }
}

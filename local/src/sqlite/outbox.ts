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
}

interface OutboxRow {
  seq: number;
  path: string;
  data: string;
  attempts: number;
}

export class OutboxPump {
  private readonly inFlight = new Set<number>();
  private readonly retryAt = new Map<number, number>();
  private readonly stmts: { next: Database.Statement; remove: Database.Statement; failed: Database.Statement };
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: OutboxOptions) {
    this.stmts = {
      next: opts.db.prepare("SELECT seq, path, data, attempts FROM outbox WHERE seq > ? ORDER BY seq LIMIT 64"),
      remove: opts.db.prepare("DELETE FROM outbox WHERE seq = ?"),
      failed: opts.db.prepare("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?"),
    };
  }

  /** Schedules a pass soon (coalesced). Call after commits that may have added rows. */
  wake(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    const limit = this.opts.parallelism ?? 8;
    const now = Date.now();
    let nextRetry = Infinity;
    let after = 0;
    while (this.inFlight.size < limit) {
      const rows = this.stmts.next.all(after) as OutboxRow[];
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.seq;
        if (this.inFlight.has(row.seq)) continue;
        const due = this.retryAt.get(row.seq) ?? 0;
        if (due > now) {
          nextRetry = Math.min(nextRetry, due);
          continue;
        }
        if (this.inFlight.size >= limit) break;
        this.start(row);
      }
    }
    this.armTimer(nextRetry);
    this.notifyIdle();
  }

  private armTimer(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (at === Infinity || this.stopped) return;
    this.timer = setTimeout(() => this.wake(), Math.max(0, at - Date.now()));
  }

  private start(row: OutboxRow): void {
    this.inFlight.add(row.seq);
    const id = row.path.slice(row.path.lastIndexOf("/") + 1);
    const doc: Doc = { id, path: row.path, data: JSON.parse(row.data) as DocData };
    this.opts.deliver(doc).then(
      () => {
        this.retryAt.delete(row.seq);
        this.stmts.remove.run(row.seq);
      },
      (err: unknown) => {
        const attempts = row.attempts + 1;
        const base = this.opts.baseRetryDelayMs ?? 200;
        const delay = Math.min(this.opts.maxRetryDelayMs ?? 30_000, base * 2 ** Math.min(attempts - 1, 20));
        this.retryAt.set(row.seq, Date.now() + delay);
        this.stmts.failed.run(row.seq);
        this.opts.logger.warn({ path: row.path, attempts, ...errorFields(err) }, "outbox delivery failed");
      },
    ).finally(() => {
      this.inFlight.delete(row.seq);
      this.notifyIdle();
      this.wake();
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
  }
}

/**
 * The task queue's SQL, prepared once. States: `queued` (waiting for run_at), `running` (leased
 * until lease_until by lease_id), `done` (succeeded, failed for good, or deleted: kept as a
 * tombstone until the dedup window passes so the id cannot be reused).
 */
import type Database from "better-sqlite3";
import type { QueuedTask } from "./due-index";
import { noGroup, type BeforeWrite } from "./group-commit";
import type { Db } from "./open-db";

export interface TaskRow {
  id: string;
  payload: string;
  attempts: number;
  lease_id: string | null;
}

export class TaskStatements {
  private readonly s: Record<string, Database.Statement>;
  private readonly completeTx: (items: readonly [string, string, number][]) => void;
  private readonly leaseTx: (rows: readonly { id: string }[], leaseIds: readonly string[], until: number) => void;

  constructor(
    db: Db,
    private readonly beforeWrite: BeforeWrite = noGroup,
  ) {
    const p = (sql: string): Database.Statement => db.prepare(sql);
    this.s = {
      // A new id, or one whose tombstone is older than the dedup window, becomes a fresh queued task;
      // any other existing id is left alone (0 changes means "exists").
      insert: p(
        `INSERT INTO tasks (id, payload, state, run_at, attempts) VALUES (?, ?, 'queued', ?, 0)
         ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, state = 'queued', run_at = excluded.run_at,
           attempts = 0, lease_id = NULL, lease_until = NULL, done_at = NULL
         WHERE tasks.state = 'done' AND coalesce(tasks.done_at, 0) < ?`,
      ),
      queued: p("SELECT id, payload, attempts, run_at AS runAt FROM tasks WHERE state = 'queued'"),
      lease: p("UPDATE tasks SET state = 'running', attempts = attempts + 1, lease_id = ?, lease_until = ? WHERE id = ? AND state = 'queued'"),
      complete: p("UPDATE tasks SET state = 'done', done_at = ?, payload = 'null', lease_id = NULL WHERE id = ? AND lease_id = ?"),
      requeue: p("UPDATE tasks SET state = 'queued', run_at = ?, lease_id = NULL WHERE id = ? AND lease_id = ?"),
      expired: p("SELECT id, payload, attempts, lease_id FROM tasks WHERE state = 'running' AND lease_until <= ?"),
      nextLease: p("SELECT min(lease_until) FROM tasks WHERE state = 'running'").pluck(),
      reclaim: p("UPDATE tasks SET state = 'queued', lease_id = NULL WHERE state = 'running'"),
      tombstone: p("UPDATE tasks SET state = 'done', done_at = ?, payload = 'null' WHERE id = ? AND state = 'queued'"),
      purge: p("DELETE FROM tasks WHERE state = 'done' AND done_at < ?"),
      forget: p("DELETE FROM tasks WHERE state IN ('queued', 'done') AND instr(id, ?) > 0"),
      queuedIds: p("SELECT id FROM tasks WHERE state = 'queued' AND instr(id, ?) > 0").pluck(),
      stats: p("SELECT state, count(*) AS n FROM tasks GROUP BY state"),
    };
    this.completeTx = db.transaction((items: readonly [string, string, number][]) => {
      for (const [id, leaseId, now] of items) this.s.complete!.run(now, id, leaseId);
    });
    this.leaseTx = db.transaction((rows: readonly { id: string }[], leaseIds: readonly string[], until: number) => {
      rows.forEach((r, i) => this.s.lease!.run(leaseIds[i], until, r.id));
    });
  }

  private st(name: string): Database.Statement {
    return this.s[name] as Database.Statement;
  }

  /** The dedup check and the insert in one statement (one per enqueue instead of a lookup and a write). */
  insert(id: string, payload: string, runAt: number, reusableBefore: number): "enqueued" | "exists" {
    this.beforeWrite();
    return this.st("insert").run(id, payload, runAt, reusableBefore).changes > 0 ? "enqueued" : "exists";
  }
  /** Marks several tasks done in one transaction (one alone needs none): [id, leaseId, doneAt]. */
  completeMany(items: readonly [string, string, number][]): void {
    this.beforeWrite();
    const only = items.length === 1 ? items[0] : undefined;
    if (only) this.st("complete").run(only[2], only[0], only[1]);
    else this.completeTx(items);
  }
  /** Leases several tasks in one transaction (one alone needs none). */
  leaseMany(rows: readonly { id: string }[], leaseIds: readonly string[], until: number): void {
    this.beforeWrite();
    const only = rows.length === 1 ? rows[0] : undefined;
    if (only) this.st("lease").run(leaseIds[0], until, only.id);
    else this.leaseTx(rows, leaseIds, until);
  }
  /** Every queued task (to rebuild the in-memory due index at start). */
  queued(): QueuedTask[] {
    return this.st("queued").all() as QueuedTask[];
  }
  complete(id: string, leaseId: string, now: number): void {
    this.beforeWrite();
    this.st("complete").run(now, id, leaseId);
  }
  requeue(id: string, leaseId: string, runAt: number): void {
    this.beforeWrite();
    this.st("requeue").run(runAt, id, leaseId);
  }
  expired(now: number): TaskRow[] {
    return this.st("expired").all(now) as TaskRow[];
  }
  nextLeaseExpiry(): number | null {
    return this.st("nextLease").get() as number | null;
  }
  reclaimAll(): number {
    this.beforeWrite();
    return this.st("reclaim").run().changes;
  }
  tombstone(id: string, now: number): void {
    this.beforeWrite();
    this.st("tombstone").run(now, id);
  }
  purge(before: number): void {
    this.beforeWrite();
    this.st("purge").run(before);
  }
  /** Ids of the queued tasks whose id contains `idPart`. */
  queuedIds(idPart: string): string[] {
    return this.st("queuedIds").all(idPart) as string[];
  }
  /** Deletes the queued and finished tasks whose id contains `idPart`. */
  forgetQueuedAndDone(idPart: string): void {
    this.beforeWrite();
    this.st("forget").run(idPart);
  }
  stats(): { queued: number; running: number; done: number } {
    const out = { queued: 0, running: 0, done: 0 };
    for (const r of this.st("stats").all() as { state: keyof typeof out; n: number }[]) out[r.state] = r.n;
    return out;
  }
}

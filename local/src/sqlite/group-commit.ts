/**
 * Group commit: every logical commit of one event-loop turn (store transactions, queue and outbox
 * bookkeeping) joins one SQLite transaction, committed when the turn ends, or after a short window
 * that takes the following turns' commits too (the host uses 4 ms). Logical commits stay
 * atomic (better-sqlite3 runs them as savepoints inside it), and since one connection writes
 * everything in order, a crash loses at most the last turn's writes as a whole: the state on disk
 * is always a prefix of the history, as if the process had died a few milliseconds earlier. All
 * handlers are idempotent and deliveries at least once, so that is safe; anything acknowledged to
 * a client (HTTP replies) calls `flush()` first so it is durable before the reply leaves.
 */
import type { Db } from "./open-db";

export class GroupCommit {
  private scheduled = false;

  /**
   * `windowMs` 0 commits when the turn ends; above 0 the commit waits that long and takes every
   * turn's writes in between (fewer commits, each page of a hot document written to the WAL once
   * per window instead of once per turn).
   */
  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown) => void,
    private readonly afterCommit: () => void = () => {},
    private readonly windowMs = 0,
  ) {}

  /** Call before any write: opens this turn's transaction (when none is open). */
  begin(): void {
    if (this.db.inTransaction || !this.db.open) return;
    this.db.exec("BEGIN IMMEDIATE");
    if (this.scheduled) return;
    this.scheduled = true;
    const commit = (): void => {
      this.scheduled = false;
      this.flush();
    };
    if (this.windowMs > 0) setTimeout(commit, this.windowMs);
    else setImmediate(commit);
  }

  /** Commits the open turn now (a no-op when nothing is pending). */
  flush(): void {
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.db.exec("COMMIT");
      this.afterCommit();
    } catch (err) {
      this.onError(err);
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
    }
  }
}

/** What writers call before writing; a no-op without group commit. */
export type BeforeWrite = () => void;
export const noGroup: BeforeWrite = () => {};

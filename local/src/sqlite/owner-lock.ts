/**
 * One process owns a data directory at a time. The owner's pid is kept in the `meta` table; a
 * second live process is refused, a dead owner's claim (after SIGKILL) is taken over. Owning the
 * file is what lets the task queue reclaim the leases of the previous owner at start-up.
 */
import type { Db } from "./open-db";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class DataDirInUseError extends Error {
  constructor(readonly pid: number) {
    super(`the data directory is in use by another FlowCraft Batch process (pid ${pid})`);
    this.name = "DataDirInUseError";
  }
}

/** Claims the database for this process; throws DataDirInUseError when a live process holds it. */
export function claimOwnership(db: Db): void {
  db.transaction(() => {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'owner_pid'").get() as { value: string } | undefined;
    const pid = row ? Number(row.value) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) throw new DataDirInUseError(pid);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('owner_pid', ?)").run(String(process.pid));
  }).immediate();
}

export function releaseOwnership(db: Db): void {
  db.prepare("DELETE FROM meta WHERE key = 'owner_pid' AND value = ?").run(String(process.pid));
}

/**
 * In-memory mirror of the queue's `queued` tasks, ordered by (runAt, id). The process owns the
 * database (owner-lock.ts), so every change to queued tasks passes through this queue object and
 * the mirror stays exact; the dispatch loop then finds due tasks and its next wake-up without a
 * query per pass. The table stays the durable truth: the mirror is rebuilt from it at start.
 */
export interface QueuedTask {
  id: string;
  runAt: number;
  payload: string;
  attempts: number;
}

const before = (a: QueuedTask, b: QueuedTask): boolean => a.runAt < b.runAt || (a.runAt === b.runAt && a.id < b.id);

export class DueIndex {
  private readonly items: QueuedTask[] = [];
  private readonly byId = new Map<string, QueuedTask>();

  get size(): number {
    return this.items.length;
  }

  add(task: QueuedTask): void {
    this.remove(task.id);
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.items[mid] as QueuedTask, task)) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, task);
    this.byId.set(task.id, task);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  remove(id: string): boolean {
    const t = this.byId.get(id);
    if (!t) return false;
    this.byId.delete(id);
    this.items.splice(this.items.indexOf(t), 1);
    return true;
  }

  /** Removes and returns up to `max` tasks due at `now`, earliest first. */
  takeDue(now: number, max: number): QueuedTask[] {
    let n = 0;
    while (n < max && n < this.items.length && (this.items[n] as QueuedTask).runAt <= now) n++;
    const due = this.items.splice(0, n);
    for (const t of due) this.byId.delete(t.id);
    return due;
  }

  hasDue(now: number): boolean {
    const first = this.items[0];
    return first !== undefined && first.runAt <= now;
  }

  nextRunAt(): number | null {
    return this.items[0]?.runAt ?? null;
  }
}

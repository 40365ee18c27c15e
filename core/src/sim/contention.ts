/**
 * Firestore's per-document contention, modelled: a document sustains about one write per second.
 * Each commit looks at the busiest document it writes and how many commits wrote that document in
 * the last second (virtual time); every write beyond the sustained rate is excess. A commit with
 * excess waits longer (lock waits: `delayPerExcessMs` per excess write, jittered), and a
 * transaction with excess aborts with probability `abortPerExcess` per excess write (capped at
 * `maxAbort`), as Firestore aborts contended transactions (ABORTED) and the client re-runs them.
 * Plain writes and batches are never aborted here, only slowed. The cost per commit is O(documents
 * written × writes in the window), so a run stays linear in its rows.
 */
import type { Rng } from "./random";

export interface ContentionModel {
  /** Sustained writes per second one document takes without contention. */
  sustainedPerSec: number;
  delayPerExcessMs: number;
  abortPerExcess: number;
  maxAbort: number;
}

export const FIRESTORE_CONTENTION: ContentionModel = { sustainedPerSec: 1, delayPerExcessMs: 150, abortPerExcess: 0.1, maxAbort: 0.6 };

export interface ContentionStats {
  /** Commits that wrote a document above its sustained rate. */
  contendedCommits: number;
  /** Transaction attempts aborted by contention (each re-runs the transaction). */
  aborts: number;
  /** Virtual time commits spent waiting on contention. */
  delayMs: number;
}

export type ContentionVerdict = { delayMs: number; abort: boolean };

const WINDOW_MS = 1000;

export class DocContention {
  readonly stats: ContentionStats = { contendedCommits: 0, aborts: 0, delayMs: 0 };
  /** Commit times within the last window, per document. */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly model: ContentionModel,
    private readonly rng: Rng,
  ) {}

  /** What a commit writing `paths` at `now` suffers; records the commit unless it aborts. */
  judge(paths: readonly string[], now: number, transactional: boolean): ContentionVerdict {
    const docs = [...new Set(paths)];
    let excess = 0;
    for (const p of docs) excess = Math.max(excess, this.inWindow(p, now) + 1 - this.model.sustainedPerSec);
    if (excess <= 0) {
      this.record(docs, now);
      return { delayMs: 0, abort: false };
    }
    this.stats.contendedCommits++;
    const delayMs = excess * this.model.delayPerExcessMs * this.rng.uniform(0.5, 1.5);
    this.stats.delayMs += delayMs;
    const abort = transactional && this.rng.next() < Math.min(this.model.maxAbort, excess * this.model.abortPerExcess);
    if (abort) this.stats.aborts++;
    else this.record(docs, now);
    return { delayMs, abort };
  }

  private inWindow(path: string, now: number): number {
    const times = this.recent.get(path);
    if (!times) return 0;
    while (times.length > 0 && now - (times[0] as number) >= WINDOW_MS) times.shift();
    if (times.length === 0) this.recent.delete(path);
    return times.length;
  }

  private record(docs: readonly string[], now: number): void {
    for (const p of docs) {
      const times = this.recent.get(p);
      if (times) times.push(now);
      else this.recent.set(p, [now]);
    }
  }
}

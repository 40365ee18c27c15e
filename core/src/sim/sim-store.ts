/**
 * The simulated Firestore: the in-memory store with virtual-time latencies (writes and transaction
 * commits wait in `beforeCommit`, which also opens the window where concurrent transactions
 * conflict), every write logged with its virtual time, and a wrapper that counts billed reads
 * (a get = 1, a query = its documents or 1 when empty) and adds read latency outside transactions.
 */
import type { ManualClock } from "../testing/manual-clock";
import { TransactionConflictError } from "../ports/store";
import { DocContention, type ContentionModel } from "./contention";
import { MemoryStore, type CommittedWrite } from "../testing/memory-store";
import type { CommitLimits, Doc, DocData, DocumentStore, Patch, Query, Transaction, Where, WriteBatch } from "../ports/store";
import type { PlatformLatency, Range } from "./faults";
import type { Rng } from "./random";

export interface SimStoreOptions {
  clock: ManualClock;
  rng: Rng;
  latency: PlatformLatency;
  onCreate: (doc: Doc) => void;
  /** Every committed write with the document's data after it (null when deleted). */
  onCommit?: (writes: CommittedWrite[]) => void;
  /** Per-document contention (contention.ts) with its own random stream; absent: none. */
  contention?: { model: ContentionModel; rng: Rng };
}

/** A transaction attempt aborted by contention; SimStore re-runs the transaction. */
class ContentionAbort extends Error {}

export class SimStore implements DocumentStore {
  readonly inner: MemoryStore;
  reads = 0;
  /** Billed reads by kind of document: job, lanes, claims, results, rows, passes, checkpoints. */
  readonly readsByKind = new Map<string, number>();
  readonly contention: DocContention | null;

  constructor(private readonly o: SimStoreOptions) {
    this.contention = o.contention ? new DocContention(o.contention.model, o.contention.rng) : null;
    this.inner = new MemoryStore({
      clock: o.clock,
      recordWrites: true,
      onCreate: o.onCreate,
      ...(o.onCommit ? { onCommit: o.onCommit } : {}),
      hooks: { beforeCommit: (info) => this.beforeCommit(info.kind === "transaction", info.paths) },
    });
  }

  /** A commit's round trip, slowed by contention; a contended transaction attempt may abort. */
  private async beforeCommit(transactional: boolean, paths: string[]): Promise<void> {
    const verdict = this.contention?.judge(paths, this.o.clock.now(), transactional) ?? { delayMs: 0, abort: false };
    await this.wait(transactional ? this.o.latency.transaction : this.o.latency.write);
    if (verdict.delayMs > 0) await this.o.clock.sleep(verdict.delayMs);
    if (verdict.abort) throw new ContentionAbort("ABORTED: too much contention on these documents");
  }

  private wait(r: Range): Promise<void> {
    return this.o.clock.sleep(this.o.rng.uniform(r[0], r[1]));
  }

  get commitLimits(): CommitLimits {
    return this.inner.commitLimits;
  }

  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    await this.wait(this.o.latency.read);
    this.billed(path, 1);
    return this.inner.get<T>(path);
  }
  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    await this.wait(this.o.latency.read);
    for (const p of paths) this.billed(p, 1);
    return this.inner.getAll<T>(paths);
  }
  async query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]> {
    await this.wait(this.o.latency.read);
    const docs = await this.inner.query<T>(collection, q);
    this.billed(`${collection}/x`, Math.max(1, docs.length));
    return docs;
  }
  async count(collection: string, where?: Where[]): Promise<number> {
    await this.wait(this.o.latency.read);
    this.billed(`${collection}/x`, 1);
    return this.inner.count(collection, where);
  }
  create(path: string, data: DocData): Promise<void> {
    return this.inner.create(path, data);
  }
  set(path: string, data: DocData, opts?: { merge?: boolean }): Promise<void> {
    return this.inner.set(path, data, opts);
  }
  update(path: string, patch: Patch): Promise<void> {
    return this.inner.update(path, patch);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(path);
  }
  deleteTree(path: string): Promise<void> {
    return this.inner.deleteTree(path);
  }
  batch(): WriteBatch {
    return this.inner.batch();
  }
  /** Re-runs an attempt that contention aborted, as the Firestore client does, up to maxAttempts in all. */
  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { maxAttempts?: number }): Promise<T> {
    const maxAttempts = opts?.maxAttempts ?? 10;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        return await this.inner.runTransaction((tx) => fn(this.countingTx(tx)), { maxAttempts: maxAttempts - attempt + 1 });
      } catch (err) {
        if (!(err instanceof ContentionAbort)) throw err;
      }
    }
    throw new TransactionConflictError();
  }

  private billed(path: string, n: number): void {
    this.reads += n;
    const parts = path.split("/");
    const kind = parts.length <= 2 ? "job" : (parts[2] ?? "other");
    this.readsByKind.set(kind, (this.readsByKind.get(kind) ?? 0) + n);
  }

  private countingTx(tx: Transaction): Transaction {
    return {
      get: async <T = DocData>(path: string) => {
        this.billed(path, 1);
        return tx.get<T>(path);
      },
      getAll: async <T = DocData>(paths: string[]) => {
        for (const p of paths) this.billed(p, 1);
        return tx.getAll<T>(paths);
      },
      query: async <T = DocData>(collection: string, q?: Query) => {
        const docs = await tx.query<T>(collection, q);
        this.billed(`${collection}/x`, Math.max(1, docs.length));
        return docs;
      },
      create: (p, d) => tx.create(p, d),
      set: (p, d, o) => tx.set(p, d, o),
      update: (p, patch) => tx.update(p, patch),
      delete: (p) => tx.delete(p),
    };
  }

  /** Total writes (one per document per commit) and the busiest document's peak 10-second window. */
  writeStats(): { writes: number; maxPer10s: number; busiest: string; byKind: Map<string, number>; byPrefix: Map<string, number> } {
    const byPath = new Map<string, number[]>();
    const byKind = new Map<string, number>();
    const byPrefix = new Map<string, number>();
    for (const w of this.inner.writeLog) {
      const parts = w.path.split("/");
      byPrefix.set(parts[0] ?? "", (byPrefix.get(parts[0] ?? "") ?? 0) + 1);
      const kind = parts.length <= 2 ? "job" : (parts[2] ?? "other");
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      const list = byPath.get(w.path) ?? [];
      list.push(w.time);
      byPath.set(w.path, list);
    }
    let maxPer10s = 0;
    let busiest = "";
    for (const [path, times] of byPath) {
      times.sort((a, b) => a - b);
      let lo = 0;
      for (let hi = 0; hi < times.length; hi++) {
        while ((times[hi] ?? 0) - (times[lo] ?? 0) >= 10_000) lo++;
        if (hi - lo + 1 > maxPer10s) {
          maxPer10s = hi - lo + 1;
          busiest = path;
        }
      }
    }
    return { writes: this.inner.writeLog.length, maxPer10s, busiest, byKind, byPrefix };
  }
}

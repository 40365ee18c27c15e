/**
 * Transaction and write-batch objects for MemoryStore. They buffer validated writes; the store
 * commits them atomically. A transaction records what it read (doc versions, query results) so
 * the store can detect conflicting commits and retry it.
 */
import type { Doc, DocData, Query, Transaction, WriteBatch } from "../ports/store";
import type { PreparedWrite } from "../store-kit/doc-data";
import { WriteBuffer } from "../store-kit/write-buffer";

/** Firestore's per-batch write limit. */
export const MAX_BATCH_WRITES = 500;

/** What a transaction saw: doc path → version (0 = missing), and query results. */
export interface ReadSet {
  docs: Map<string, number>;
  queries: { collection: string; q: Query; collectionVersion: number; result: string }[];
}

/** The store internals a transaction needs. */
export interface TxHost {
  readForTx<T>(path: string, reads: ReadSet): Doc<T> | null;
  queryForTx<T>(collection: string, q: Query, reads: ReadSet): Doc<T>[];
  /** True when nothing the transaction read has changed since. */
  stillValid(reads: ReadSet): boolean;
}

/** Thrown inside a transaction attempt whose reads went stale; runTransaction retries it. */
export class StaleReadSignal extends Error {
  constructor() {
    super("transaction read stale data");
    this.name = "StaleReadSignal";
  }
}

export class ReadsAfterWritesError extends Error {
  constructor() {
    super("transaction reads must come before writes (Firestore requires all reads to be executed before all writes)");
    this.name = "ReadsAfterWritesError";
  }
}

export class MemoryTransaction extends WriteBuffer implements Transaction {
  readonly reads: ReadSet = { docs: new Map(), queries: [] };

  constructor(private readonly host: TxHost) {
    super();
  }

  private beforeRead(): void {
    this.assertOpen();
    if (this.writes.length > 0) throw new ReadsAfterWritesError();
  }

  /** Fails the attempt early when earlier reads went stale, so the function never sees a torn view. */
  private afterRead(): void {
    if (!this.host.stillValid(this.reads)) throw new StaleReadSignal();
  }

  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    this.beforeRead();
    const doc = this.host.readForTx<T>(path, this.reads);
    this.afterRead();
    return doc;
  }

  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    this.beforeRead();
    const docs = paths.map((p) => this.host.readForTx<T>(p, this.reads));
    this.afterRead();
    return docs;
  }

  async query<T = DocData>(collection: string, q: Query = {}): Promise<Doc<T>[]> {
    this.beforeRead();
    const docs = this.host.queryForTx<T>(collection, q, this.reads);
    this.afterRead();
    return docs;
  }
}

export class MemoryWriteBatch extends WriteBuffer implements WriteBatch {
  constructor(private readonly doCommit: (writes: PreparedWrite[]) => Promise<void>) {
    super();
  }

  async commit(): Promise<void> {
    this.assertOpen();
    this.closed = true;
    if (this.writes.length > MAX_BATCH_WRITES) {
      throw new Error(`a batch holds at most ${MAX_BATCH_WRITES} writes (got ${this.writes.length})`);
    }
    await this.doCommit(this.writes);
  }
}

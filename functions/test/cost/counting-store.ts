/**
 * A DocumentStore decorator that counts billed Firestore reads the way Firestore bills them: one
 * per document returned by a get/getAll/query (a get of a missing doc and an empty query still
 * cost one), one per count() aggregation (up to 1,000 matches), transaction reads included (an
 * aborted attempt's reads are billed too). Writes are taken from the underlying store's commits.
 */
import type { Doc, DocData, DocumentStore, Query, Transaction, Where, WriteBatch, Patch } from "@flowcraft/core";

export class CountingStore implements DocumentStore {
  reads = 0;
  constructor(private readonly inner: DocumentStore) {}

  private bill(n: number): void {
    this.reads += Math.max(1, n);
  }
  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    this.bill(1);
    return this.inner.get<T>(path);
  }
  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    if (paths.length > 0) this.reads += paths.length;
    return this.inner.getAll<T>(paths);
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
  async query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]> {
    const docs = await this.inner.query<T>(collection, q);
    this.bill(docs.length);
    return docs;
  }
  async count(collection: string, where?: Where[]): Promise<number> {
    const n = await this.inner.count(collection, where);
    this.bill(Math.ceil(n / 1000));
    return n;
  }
  batch(): WriteBatch {
    return this.inner.batch();
  }
  runTransaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { maxAttempts?: number }): Promise<T> {
    return this.inner.runTransaction((tx) => fn(this.countingTx(tx)), opts);
  }

  private countingTx(tx: Transaction): Transaction {
    return {
      get: async <T = DocData>(path: string) => {
        this.bill(1);
        return tx.get<T>(path);
      },
      getAll: async <T = DocData>(paths: string[]) => {
        this.reads += paths.length;
        return tx.getAll<T>(paths);
      },
      query: async <T = DocData>(collection: string, q?: Query) => {
        const docs = await tx.query<T>(collection, q);
        this.bill(docs.length);
        return docs;
      },
      create: (p, d) => tx.create(p, d),
      set: (p, d, o) => tx.set(p, d, o),
      update: (p, patch) => tx.update(p, patch),
      delete: (p) => tx.delete(p),
    };
  }
}

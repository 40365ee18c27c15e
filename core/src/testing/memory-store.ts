/**
 * In-memory DocumentStore with Firestore semantics (see ports/store.ts): deep copies in and out,
 * validated data, per-document versions, atomic batches and optimistic transactions that retry on
 * conflict. Built for deterministic simulations: an injected clock stamps writes, `onCreate` /
 * `onCommit` observe commits (trigger delivery, write-rate checks) and `hooks.beforeCommit` lets a
 * scheduler interleave other work between a transaction's reads and its commit.
 * Each collection has its own index (collection path → id → doc) so queries scan one collection.
 */
import type { Clock } from "../ports/clock";
import { systemClock } from "../system-clock";
import { applyWrite, cloneData, documentSize, InvalidDataError, MAX_DOCUMENT_BYTES, prepareWrite, type PreparedWrite } from "../store-kit/doc-data";
import { parseCollectionPath, parseDocPath } from "../store-kit/doc-path";
import { countMatches, planQuery, runQuery } from "../store-kit/doc-query";
import {
  FIRESTORE_COMMIT_LIMITS,
  TransactionConflictError,
  type CommitLimits,
  type Doc,
  type DocData,
  type DocumentStore,
  type Patch,
  type Query,
  type Transaction,
  type Where,
  type WriteBatch,
} from "../ports/store";
import { MemoryTransaction, MemoryWriteBatch, StaleReadSignal, type ReadSet, type TxHost } from "./memory-transaction";

export type CommitKind = "write" | "batch" | "transaction";

/** One document changed by a commit (one record per document per commit). */
export interface WriteRecord {
  path: string;
  /** From the document's existence before and after the commit (deleting a missing doc is "delete"). */
  op: "create" | "update" | "delete";
  /** Clock time of the commit. */
  time: number;
  /** Store-wide commit sequence number; the document's version after this write. */
  version: number;
  via: CommitKind;
}

/** A WriteRecord with a copy of the document's data after the commit (null when deleted). */
export interface CommittedWrite extends WriteRecord {
  data: DocData | null;
}

export interface CommitInfo {
  kind: CommitKind;
  /** Documents the commit writes, in write order (may repeat). */
  paths: string[];
  /** 1 for plain writes and batches; the attempt number for transactions. */
  attempt: number;
}

export interface MemoryStoreOptions {
  /** Stamps `WriteRecord.time`; defaults to the system clock. */
  clock?: Clock;
  /** Called after each commit for every document that did not exist before it and does now. */
  onCreate?: (doc: Doc) => void;
  /** Called after each commit with every document it wrote. */
  onCommit?: (writes: CommittedWrite[]) => void;
  hooks?: {
    /** Awaited before every commit is applied (after a transaction's function returned). */
    beforeCommit?: (info: CommitInfo) => Promise<void>;
  };
  /** Keep every WriteRecord in `writeLog` (for write-rate checks). Default false. */
  recordWrites?: boolean;
  /** Reject documents larger than this (Firestore's size formula). Default 1 MiB. */
  maxDocumentBytes?: number;
  /** What one commit (batch or transaction) may hold. Default: Firestore's 500 writes, 10 MiB. */
  commitLimits?: CommitLimits;
}

interface Stored {
  id: string;
  data: DocData;
  version: number;
}

interface Staged {
  before: Stored | undefined;
  after: DocData | null;
}

export interface MemoryStoreStats {
  commits: number;
  writes: number;
  transactionAttempts: number;
  transactionConflicts: number;
}

export class MemoryStore implements DocumentStore, TxHost {
  private readonly collections = new Map<string, Map<string, Stored>>();
  /** Last commit that wrote each path, deleted docs included (0 / absent = never written). */
  private readonly versions = new Map<string, number>();
  private readonly collectionVersions = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private seq = 0;
  private readonly clock: Clock;
  readonly writeLog: WriteRecord[] = [];
  readonly stats: MemoryStoreStats = { commits: 0, writes: 0, transactionAttempts: 0, transactionConflicts: 0 };

  readonly commitLimits: CommitLimits;

  constructor(private readonly options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.commitLimits = options.commitLimits ?? FIRESTORE_COMMIT_LIMITS;
  }

  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    return this.toDoc<T>(path, this.lookup(path));
  }

  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    return paths.map((p) => this.toDoc<T>(p, this.lookup(p)));
  }

  async create(path: string, data: DocData): Promise<void> {
    await this.commitWrites([prepareWrite({ kind: "create", path, data })], "write");
  }

  async set(path: string, data: DocData, opts?: { merge?: boolean }): Promise<void> {
    await this.commitWrites([prepareWrite({ kind: "set", path, data, merge: opts?.merge === true })], "write");
  }

  async update(path: string, patch: Patch): Promise<void> {
    await this.commitWrites([prepareWrite({ kind: "update", path, patch })], "write");
  }

  async delete(path: string): Promise<void> {
    await this.commitWrites([prepareWrite({ kind: "delete", path })], "write");
  }

  async deleteTree(path: string): Promise<void> {
    const root = parseDocPath(path).path;
    const paths: string[] = [];
    for (const [collection, docs] of this.collections) {
      const under = collection.startsWith(`${root}/`);
      for (const id of docs.keys()) if (under || `${collection}/${id}` === root) paths.push(`${collection}/${id}`);
    }
    for (let i = 0; i < paths.length; i += this.commitLimits.maxWrites) {
      const chunk = paths.slice(i, i + this.commitLimits.maxWrites);
      await this.commitWrites(
        chunk.map((p) => prepareWrite({ kind: "delete", path: p })),
        "batch",
      );
    }
  }

  async query<T = DocData>(collection: string, q: Query = {}): Promise<Doc<T>[]> {
    return this.runQueryOn(collection, q).map((s) => this.toDoc<T>(`${collection}/${s.id}`, s) as Doc<T>);
  }

  async count(collection: string, where: Where[] = []): Promise<number> {
    parseCollectionPath(collection);
    const coll = this.collections.get(collection);
    return coll ? countMatches(coll.values(), where) : 0;
  }

  batch(): WriteBatch {
    return new MemoryWriteBatch((writes) => this.commitWrites(writes, "batch"));
  }

  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { maxAttempts?: number }): Promise<T> {
    const maxAttempts = opts?.maxAttempts ?? 5;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error("maxAttempts must be a positive integer");
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      this.stats.transactionAttempts++;
      const tx = new MemoryTransaction(this);
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        tx.close();
        // An error after stale reads may come from the stale view: retry like a conflict.
        if (err instanceof StaleReadSignal || !this.stillValid(tx.reads)) {
          this.stats.transactionConflicts++;
          continue;
        }
        throw err;
      }
      tx.close();
      await this.options.hooks?.beforeCommit?.({ kind: "transaction", paths: tx.writes.map((w) => w.path), attempt });
      const records = this.apply(tx.writes, "transaction", tx.reads);
      if (records === null) {
        this.stats.transactionConflicts++;
        continue;
      }
      this.emit(records);
      return result;
    }
    throw new TransactionConflictError();
  }

  // ---- introspection for tests and simulations ----

  /** Commits that wrote `path` so far (creates, updates and deletes). */
  writeCount(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  /** Path → number of commits that wrote it. */
  writeCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Number of documents directly in `collection`, or in the whole store. */
  docCount(collection?: string): number {
    if (collection !== undefined) return this.collections.get(collection)?.size ?? 0;
    let n = 0;
    for (const c of this.collections.values()) n += c.size;
    return n;
  }

  /** A copy of every document whose path starts with `prefix`, sorted by path. */
  snapshot(prefix = ""): Record<string, DocData> {
    const out: Record<string, DocData> = {};
    const paths: string[] = [];
    for (const [collection, docs] of this.collections) {
      for (const id of docs.keys()) if (`${collection}/${id}`.startsWith(prefix)) paths.push(`${collection}/${id}`);
    }
    for (const p of paths.sort()) out[p] = cloneData(this.lookup(p)!.data);
    return out;
  }

  // ---- TxHost ----

  readForTx<T>(path: string, reads: ReadSet): Doc<T> | null {
    const stored = this.lookup(path);
    if (!reads.docs.has(path)) reads.docs.set(path, this.versions.get(path) ?? 0);
    return this.toDoc<T>(path, stored);
  }

  queryForTx<T>(collection: string, q: Query, reads: ReadSet): Doc<T>[] {
    const result = this.runQueryOn(collection, q);
    reads.queries.push({
      collection,
      q,
      collectionVersion: this.collectionVersions.get(collection) ?? 0,
      result: resultKey(result),
    });
    return result.map((s) => this.toDoc<T>(`${collection}/${s.id}`, s) as Doc<T>);
  }

  stillValid(reads: ReadSet): boolean {
    for (const [path, version] of reads.docs) if ((this.versions.get(path) ?? 0) !== version) return false;
    for (const r of reads.queries) {
      const now = this.collectionVersions.get(r.collection) ?? 0;
      if (now === r.collectionVersion) continue;
      if (resultKey(this.runQueryOn(r.collection, r.q)) !== r.result) return false;
      r.collectionVersion = now; // same result at a newer version: no need to re-run next time
    }
    return true;
  }

  // ---- internals ----

  private lookup(path: string): Stored | undefined {
    const { collection, id } = parseDocPath(path);
    return this.collections.get(collection)?.get(id);
  }

  private toDoc<T>(path: string, stored: Stored | undefined): Doc<T> | null {
    if (!stored) return null;
    return { id: stored.id, path, data: cloneData(stored.data) as T };
  }

  private runQueryOn(collection: string, q: Query): Stored[] {
    parseCollectionPath(collection);
    const plan = planQuery(q);
    const coll = this.collections.get(collection);
    if (!coll) return [];
    return runQuery(coll.values(), plan, q.startAfter);
  }

  private async commitWrites(writes: PreparedWrite[], via: CommitKind): Promise<void> {
    await this.options.hooks?.beforeCommit?.({ kind: via, paths: writes.map((w) => w.path), attempt: 1 });
    const records = this.apply(writes, via, null);
    if (records) this.emit(records);
  }

  /** Applies writes atomically; null when `reads` went stale. Throws on a failed precondition. */
  private apply(writes: PreparedWrite[], via: CommitKind, reads: ReadSet | null): CommittedWrite[] | null {
    if (reads && !this.stillValid(reads)) return null;
    const staged = this.stage(writes);
    const version = ++this.seq;
    const time = this.clock.now();
    const records: CommittedWrite[] = [];
    for (const [path, e] of staged) {
      const { collection, id } = parseDocPath(path);
      let coll = this.collections.get(collection);
      if (e.after === null) coll?.delete(id);
      else {
        if (!coll) this.collections.set(collection, (coll = new Map<string, Stored>()));
        coll.set(id, { id, data: e.after, version });
      }
      this.versions.set(path, version);
      this.collectionVersions.set(collection, version);
      this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
      const op = e.before ? (e.after ? "update" : "delete") : e.after ? "create" : "delete";
      records.push({ path, op, time, version, via, data: e.after });
    }
    this.stats.commits++;
    this.stats.writes += records.length;
    return records;
  }

  /** Computes every write's result against the current state without changing it. */
  private stage(writes: PreparedWrite[]): Map<string, Staged> {
    const limit = this.options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
    const { maxWrites, maxBytes } = this.commitLimits;
    if (writes.length > maxWrites) throw new Error(`a commit holds at most ${maxWrites} writes (got ${writes.length})`);
    const staged = new Map<string, Staged>();
    let bytes = 0;
    for (const w of writes) {
      const prior = staged.get(w.path);
      const before = prior ? prior.before : this.lookup(w.path);
      const current = prior ? prior.after : (before?.data ?? null);
      const after = applyWrite(current, w);
      const size = after ? documentSize(w.path, after) : 0;
      if (size > limit) throw new InvalidDataError("(document)", `${w.path} is larger than ${limit} bytes`);
      // Like Firestore's request size limit: a commit carries every document it writes.
      if ((bytes += size) > maxBytes) throw new Error(`a commit holds at most ${maxBytes} bytes of documents`);
      staged.set(w.path, { before, after });
    }
    return staged;
  }

  private emit(records: CommittedWrite[]): void {
    if (this.options.recordWrites) {
      for (const { data: _data, ...rec } of records) this.writeLog.push(rec);
    }
    const { onCreate, onCommit } = this.options;
    try {
      if (onCommit) onCommit(records.map((r) => ({ ...r, data: r.data === null ? null : cloneData(r.data) })));
      if (onCreate) {
        for (const r of records) {
          if (r.op === "create" && r.data) onCreate({ id: parseDocPath(r.path).id, path: r.path, data: cloneData(r.data) });
        }
      }
    } catch (err) {
      // The commit is already applied; a throwing observer is a bug to surface, not a failed write.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

function resultKey(docs: Stored[]): string {
  return docs.map((d) => `${d.id}@${d.version}`).join("/");
}

/**
 * DocumentStore on SQLite (better-sqlite3, synchronous): one `documents` row per document with its
 * JSON data and a version. Queries run as SQL over json_extract (see query-sql.ts); transactions
 * run their function with reads tracked and commit the buffered writes in one SQLite transaction
 * after checking the reads are unchanged, retrying on conflict like Firestore. Creations matching
 * the `triggers` patterns get an outbox row in the same SQLite transaction (see outbox.ts), and
 * every commit is reported to `onCommit` listeners (the host's live event bus).
 */
import {
  TransactionConflictError,
  type CommitLimits,
  type Doc,
  type DocData,
  type DocumentStore,
  type ParsedRead,
  type Patch,
  type Query,
  type Where,
  type WriteBatch,
  type Transaction,
} from "@flowcraft/core";
import type Database from "better-sqlite3";
import { parseCollectionPath, parseDocPath, planQuery, prepareWrite, runQuery, type PreparedWrite } from "../core-internals";
import { Committer, ConflictSignal, compileTriggers, type DocChange, type ReadSet, type TriggerSpec } from "./commit";
import type { BeforeWrite } from "./group-commit";
import type { Db } from "./open-db";
import { countSql, isSqlExact, selectSql } from "./query-sql";
import { MAX_WRITES, SqliteTransaction, SqliteWriteBatch, type TxReader } from "./sqlite-transaction";

export interface SqliteStoreOptions {
  /** Document path patterns (`*` matches one segment) whose creation is written to the outbox (commit.ts `TriggerSpec`). */
  triggers?: readonly TriggerSpec[];
  /** Called before each commit (group commit joins it to the turn's transaction). */
  beforeWrite?: BeforeWrite;
}

type Row = { id: string; data: string; version: number };

export class SqliteStore implements DocumentStore, TxReader {
  private readonly committer: Committer;
  private readonly listeners = new Set<(changes: DocChange[]) => void>();
  private readonly statements = new Map<string, Database.Statement>();
  /** Transaction counters, for diagnostics and the benchmark. */
  readonly stats = { transactions: 0, conflicts: 0 };
  /**
   * Firestore's write count (so code that commits here also commits there), but no byte limit:
   * one SQLite transaction holds any size, which lets a whole create (44 MB of rows) be atomic.
   */
  readonly commitLimits: CommitLimits = { maxWrites: MAX_WRITES, maxBytes: Number.POSITIVE_INFINITY };

  constructor(
    readonly db: Db,
    opts: SqliteStoreOptions = {},
  ) {
    this.committer = new Committer(db, compileTriggers(opts.triggers ?? []), opts.beforeWrite);
  }

  /** Called synchronously after every commit with what changed. Returns an unsubscribe function. */
  onCommit(listener: (changes: DocChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Document reads that went to the file (the rest came from the in-memory cache). */
  get fileReads(): number {
    return this.committer.fileReads;
  }

  /** Forgets the documents cached in memory: after a rollback of writes made through this store. */
  dropCache(): void {
    this.committer.dropCache();
  }

  /** The highest document version committed so far (monotonic; used as event ids). */
  get currentSeq(): number {
    return this.committer.currentSeq;
  }

  /**
   * Ids and versions of `collection`'s documents written after `version`, oldest write first (for
   * event replay). No data: a lagging reader fetches the documents one at a time with `getVersioned`.
   */
  versionsSince(collection: string, version: number): { id: string; version: number }[] {
    return this.stmt("SELECT id, version FROM documents WHERE parent = ? AND version > ? ORDER BY version").all(parseCollectionPath(collection), version) as {
      id: string;
      version: number;
    }[];
  }

  /** A document with its current version (null when missing). */
  getVersioned<T = DocData>(path: string): (Doc<T> & { version: number }) | null {
    const p = parseDocPath(path);
    const cur = this.committer.readRaw(p.collection, p.id);
    return cur.data === null ? null : { id: p.id, path, data: cur.data as T, version: cur.version };
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private toDoc<T>(collection: string, r: Row): Doc<T> {
    return { id: r.id, path: `${collection}/${r.id}`, data: JSON.parse(r.data) as T };
  }

  private write(writes: PreparedWrite[], reads?: ReadSet): void {
    if (writes.length === 0) return; // read-only transactions never conflict
    const changes = this.committer.commit(writes, reads);
    if (changes.length === 0) return;
    for (const l of this.listeners) l(changes);
  }

  readTracked<T>(path: string, reads: ReadSet | null): Doc<T> | null {
    const p = parseDocPath(path);
    const cur = this.committer.readRaw(p.collection, p.id);
    if (reads && !reads.docs.has(path)) reads.docs.set(path, cur.version);
    return cur.data === null ? null : { id: p.id, path, data: cur.data as T };
  }

  queryTracked<T>(collection: string, q: Query | undefined, reads: ReadSet | null): Doc<T>[] {
    parseCollectionPath(collection);
    const plan = planQuery(q);
    if (reads && !reads.collections.has(collection)) reads.collections.set(collection, this.committer.collectionVersion(collection));
    const query = q ?? {};
    if (!isSqlExact(query)) {
      // Map/array filter values: compare deeply in process with core's query semantics.
      const all = (this.stmt("SELECT id, data, version FROM documents WHERE parent = ?").all(collection) as Row[]).map((r) =>
        this.toDoc<DocData>(collection, r),
      );
      return runQuery(all, plan, query.startAfter) as Doc<T>[];
    }
    const { sql, params } = selectSql(collection, query);
    return (this.stmt(sql).all(...params) as Row[]).map((r) => this.toDoc<T>(collection, r));
  }

  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    return this.readTracked<T>(path, null);
  }
  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    return paths.map((p) => this.readTracked<T>(p, null));
  }
  /** Parsed values are kept per document version on the cache entry (Committer.readParsed): frozen, shared. */
  async getAllParsed<T>(reads: readonly ParsedRead<T>[]): Promise<(T | null)[]> {
    return reads.map((r) => {
      const p = parseDocPath(r.path);
      return this.committer.readParsed(p.collection, p.id, r.schema);
    });
  }
  async create(path: string, data: DocData): Promise<void> {
    this.write([prepareWrite({ kind: "create", path, data })]);
  }
  async set(path: string, data: DocData, opts?: { merge?: boolean }): Promise<void> {
    this.write([prepareWrite({ kind: "set", path, data, merge: opts?.merge === true })]);
  }
  async update(path: string, patch: Patch): Promise<void> {
    this.write([prepareWrite({ kind: "update", path, patch })]);
  }
  async delete(path: string): Promise<void> {
    this.write([prepareWrite({ kind: "delete", path })]);
  }
  async deleteTree(path: string): Promise<void> {
    const root = parseDocPath(path);
    // Everything whose parent starts with `root/`: the range [root/, root0) ('0' follows '/'), so
    // the primary key serves it and no LIKE escaping of `_` or `%` in ids is needed.
    const rows = this.stmt("SELECT parent, id FROM documents WHERE (parent = ? AND id = ?) OR (parent >= ? AND parent < ?)").all(
      root.collection,
      root.id,
      `${root.path}/`,
      `${root.path}0`,
    ) as { parent: string; id: string }[];
    for (let i = 0; i < rows.length; i += MAX_WRITES) {
      this.write(rows.slice(i, i + MAX_WRITES).map((r) => prepareWrite({ kind: "delete", path: `${r.parent}/${r.id}` })));
    }
  }
  async query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]> {
    return this.queryTracked<T>(collection, q, null);
  }
  async count(collection: string, where?: Where[]): Promise<number> {
    parseCollectionPath(collection);
    planQuery({ where });
    if (!isSqlExact({ where })) return (await this.query(collection, { where })).length;
    const { sql, params } = countSql(collection, where);
    return (this.stmt(sql).get(...params) as { n: number }).n;
  }
  batch(): WriteBatch {
    return new SqliteWriteBatch((writes) => this.write(writes));
  }

  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { maxAttempts?: number }): Promise<T> {
    const maxAttempts = opts?.maxAttempts ?? 5;
    this.stats.transactions++;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const tx = new SqliteTransaction(this);
      const result = await fn(tx);
      tx.close();
      try {
        this.write(tx.writes, tx.reads);
        return result;
      } catch (err) {
        if (!(err instanceof ConflictSignal)) throw err;
        this.stats.conflicts++;
      }
      // Let the contending work finish before the next attempt.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    throw new TransactionConflictError();
  }
}

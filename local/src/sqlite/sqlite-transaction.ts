/**
 * Transaction and write batch for the SQLite store. Both buffer validated writes; the transaction
 * also records the version of every document it read and the write sequence of every collection it
 * queried, so the commit can tell whether anything it saw changed (optimistic concurrency, like
 * Firestore's retries).
 */
import type { Doc, DocData, Query, Transaction, WriteBatch } from "@flowcraft/core";
import { WriteBuffer, type PreparedWrite } from "../core-internals";
import type { ReadSet } from "./commit";

/** Firestore's per-commit write limit. */
export const MAX_WRITES = 500;

export interface TxReader {
  readTracked<T>(path: string, reads: ReadSet): Doc<T> | null;
  queryTracked<T>(collection: string, q: Query | undefined, reads: ReadSet): Doc<T>[];
}

export class SqliteWriteBatch extends WriteBuffer implements WriteBatch {
  constructor(private readonly commitFn: (writes: PreparedWrite[]) => void) {
    super(MAX_WRITES);
  }
  async commit(): Promise<void> {
    this.close();
    this.commitFn(this.writes);
  }
}

export class SqliteTransaction extends WriteBuffer implements Transaction {
  readonly reads: ReadSet = { docs: new Map(), collections: new Map() };

  constructor(private readonly reader: TxReader) {
    super(MAX_WRITES);
  }

  private beforeRead(): void {
    if (this.closed) throw new Error("this transaction has already been committed");
    if (this.writes.length > 0) throw new Error("transaction reads must come before writes");
  }

  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    this.beforeRead();
    return this.reader.readTracked<T>(path, this.reads);
  }
  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    this.beforeRead();
    return paths.map((p) => this.reader.readTracked<T>(p, this.reads));
  }
  async query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]> {
    this.beforeRead();
    return this.reader.queryTracked<T>(collection, q, this.reads);
  }
}

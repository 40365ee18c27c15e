/**
 * Transaction and write batch for the SQLite store. Both buffer validated writes; the transaction
 * also records the version of every document it read and the write sequence of every collection it
 * queried, so the commit can tell whether anything it saw changed (optimistic concurrency, like
 * Firestore's retries).
 */
import type { Doc, DocData, Patch, Query, Transaction, WriteBatch } from "@flowcraft/core";
import { prepareWrite, type PreparedWrite, type WriteOp } from "../core-internals";
import type { ReadSet } from "./commit";

/** Firestore's per-commit write limit. */
export const MAX_WRITES = 500;

export interface TxReader {
  readTracked<T>(path: string, reads: ReadSet): Doc<T> | null;
  queryTracked<T>(collection: string, q: Query | undefined, reads: ReadSet): Doc<T>[];
}

export class WriteBuffer {
  readonly writes: PreparedWrite[] = [];
  protected closed = false;

  protected add(op: WriteOp): void {
    if (this.closed) throw new Error("this transaction or batch has already been committed");
    if (this.writes.length >= MAX_WRITES) throw new Error(`a commit holds at most ${MAX_WRITES} writes`);
    this.writes.push(prepareWrite(op));
  }
  create(path: string, data: DocData): void {
    this.add({ kind: "create", path, data });
  }
  set(path: string, data: DocData, opts?: { merge?: boolean }): void {
    this.add({ kind: "set", path, data, merge: opts?.merge === true });
  }
  update(path: string, patch: Patch): void {
    this.add({ kind: "update", path, patch });
  }
  delete(path: string): void {
    this.add({ kind: "delete", path });
  }
  close(): void {
    this.closed = true;
  }
}

export class SqliteWriteBatch extends WriteBuffer implements WriteBatch {
  constructor(private readonly commitFn: (writes: PreparedWrite[]) => void) {
    super();
  }
  async commit(): Promise<void> {
    this.close();
    this.commitFn(this.writes);
  }
}

export class SqliteTransaction extends WriteBuffer implements Transaction {
  readonly reads: ReadSet = { docs: new Map(), collections: new Map() };

  constructor(private readonly reader: TxReader) {
    super();
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

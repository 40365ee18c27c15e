/**
 * Document store port, shaped after Firestore so the Firestore adapter is a thin mapping and the
 * local (SQLite) and in-memory stores mirror the same paths.
 *
 * Contract (every adapter passes `core/src/testing/conformance/store-conformance.ts`):
 * - Paths alternate collection/doc: `batch_jobs/{jobId}`, `batch_jobs/{jobId}/results/{rowId}`.
 * - Data is plain JSON objects: string, finite number, boolean, null, arrays (not of arrays),
 *   nested objects. `undefined` is rejected (as Firestore does). Times are epoch milliseconds.
 *   Bad data is rejected before anything is written with `InvalidDataError` (a ValidationError
 *   naming the field, e.g. `usage.tokens`); bad paths with `InvalidPathError`. Documents ≤ 1 MiB.
 * - `create` fails with `AlreadyExistsError` when the doc exists; `update` fails with
 *   `NotFoundError` when it does not. `set` replaces; `set(..., {merge: true})` deep-merges nested
 *   maps as Firestore does (fields not mentioned keep their values). Reads return copies.
 * - Patches may use `increment(n)` and `deleteField()` sentinels; dotted keys (`a.b`) address nested
 *   fields in `update` (keys inside values and in `create`/`set` are literal names).
 *   Details: `doc-data.ts`.
 * - Queries are over one collection (direct children), with equality/range filters, one order by
 *   field (ties broken by doc id, in the order's direction), a limit and a `startAfter` cursor (the
 *   last doc of a page). A missing field never matches a filter and leaves the doc out of an order;
 *   `!=` also skips null; range filters match only values of the filter value's type. Without an
 *   order, results come by doc id. Details: `doc-query.ts`.
 * - Transactions: all reads before writes (a read after a write throws); a transaction whose reads
 *   (documents, or query results) changed before commit is retried (up to `maxAttempts`, default 5)
 *   by `runTransaction` itself, then `TransactionConflictError`; the function may run more than
 *   once, so it must not have side effects outside the transaction. An error thrown by the function
 *   aborts it without retry. Writes commit atomically.
 * - `deleteTree(path)` deletes the document at `path` (if any) and every document below it
 *   (`path/...` at any depth, also under parent documents that do not exist), in commits of at most
 *   `commitLimits.maxWrites`: not atomic, idempotent, safe to run again after a crash. It never
 *   touches a sibling whose id merely starts with the same characters (`jobs/a` spares `jobs/ab`).
 *   Writes made under `path` while it runs may survive: callers stop the writers first.
 * - `commitLimits` says what ONE commit (a batch or a transaction) may hold on this store. Callers
 *   that must write many documents atomically check it and fall back to a staged write when the
 *   data does not fit (absent = Firestore's limits, `FIRESTORE_COMMIT_LIMITS`).
 */
export type DocData = Record<string, unknown>;

export interface Doc<T = DocData> {
  id: string;
  path: string;
  data: T;
}

export interface IncrementOp {
  readonly __op: "increment";
  readonly by: number;
}
export interface DeleteFieldOp {
  readonly __op: "deleteField";
}
export const increment = (by: number): IncrementOp => ({ __op: "increment", by });
export const deleteField = (): DeleteFieldOp => ({ __op: "deleteField" });
export function isIncrement(v: unknown): v is IncrementOp {
  return typeof v === "object" && v !== null && (v as { __op?: unknown }).__op === "increment";
}
export function isDeleteField(v: unknown): v is DeleteFieldOp {
  return typeof v === "object" && v !== null && (v as { __op?: unknown }).__op === "deleteField";
}

/** Top-level or dotted field → value or sentinel. */
export type Patch = Record<string, unknown>;

export type WhereOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in";
export interface Where {
  field: string;
  op: WhereOp;
  value: unknown;
}

export interface Query {
  where?: Where[];
  orderBy?: { field: string; direction?: "asc" | "desc" };
  limit?: number;
  /** Continue after this document (as returned by a previous page). */
  startAfter?: Doc;
}

export class AlreadyExistsError extends Error {
  constructor(readonly path: string) {
    super(`document already exists: ${path}`);
    this.name = "AlreadyExistsError";
  }
}
export class NotFoundError extends Error {
  constructor(readonly path: string) {
    super(`document not found: ${path}`);
    this.name = "NotFoundError";
  }
}
/** Thrown by `runTransaction` when contention outlasted its attempts. */
export class TransactionConflictError extends Error {
  constructor() {
    super("transaction aborted after repeated contention");
    this.name = "TransactionConflictError";
  }
}

export interface Transaction {
  get<T = DocData>(path: string): Promise<Doc<T> | null>;
  getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]>;
  query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]>;
  create(path: string, data: DocData): void;
  set(path: string, data: DocData, opts?: { merge?: boolean }): void;
  update(path: string, patch: Patch): void;
  delete(path: string): void;
}

export interface WriteBatch {
  create(path: string, data: DocData): void;
  set(path: string, data: DocData, opts?: { merge?: boolean }): void;
  update(path: string, patch: Patch): void;
  delete(path: string): void;
  commit(): Promise<void>;
}

/** What one commit may hold: writes, and the summed `documentSize` of the documents written. */
export interface CommitLimits {
  maxWrites: number;
  maxBytes: number;
}
/** Firestore: 500 writes and 10 MiB per commit request. */
export const FIRESTORE_COMMIT_LIMITS: CommitLimits = { maxWrites: 500, maxBytes: 10 * 1024 * 1024 };

export interface DocumentStore {
  /** What one commit may hold on this store (absent = FIRESTORE_COMMIT_LIMITS). */
  readonly commitLimits?: CommitLimits;
  get<T = DocData>(path: string): Promise<Doc<T> | null>;
  getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]>;
  create(path: string, data: DocData): Promise<void>;
  set(path: string, data: DocData, opts?: { merge?: boolean }): Promise<void>;
  update(path: string, patch: Patch): Promise<void>;
  delete(path: string): Promise<void>;
  /** Deletes the document at `path` and everything below it (see the contract above). */
  deleteTree(path: string): Promise<void>;
  query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]>;
  count(collection: string, where?: Where[]): Promise<number>;
  /** Atomic multi-document write without reads (at most 500 writes, like Firestore). */
  batch(): WriteBatch;
  runTransaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { maxAttempts?: number }): Promise<T>;
}

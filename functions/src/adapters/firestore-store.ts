/**
 * The DocumentStore port over Firestore (firebase-admin 13). A thin mapping: sentinels become
 * FieldValues, transactions use runTransaction (Firestore retries contention itself), batches use
 * WriteBatch, counts use the count() aggregation. Passes the shared store conformance suite.
 */
import type { Firestore, Transaction as FsTransaction, WriteBatch as FsWriteBatch } from "firebase-admin/firestore";
import {
  FIRESTORE_COMMIT_LIMITS,
  ValidationError,
  type CommitLimits,
  type Doc,
  type DocData,
  type DocumentStore,
  type Patch,
  type Query,
  type Transaction,
  type Where,
  type WriteBatch,
} from "@flowcraft/core";
import { checkDelete, encodeCreate, encodeSet, encodeUpdate } from "./firestore-encode";
import { mapCommitError, mapWriteError } from "./firestore-errors";
import { buildQuery, toDoc } from "./firestore-query";

const MAX_BATCH_WRITES = 500;

interface WriteNote {
  kind: "create" | "set" | "update" | "delete";
  path: string;
}

export class FirestoreStore implements DocumentStore {
  /** 500 writes and 10 MiB per commit: larger creates are staged by the core. */
  readonly commitLimits: CommitLimits = FIRESTORE_COMMIT_LIMITS;

  constructor(private readonly db: Firestore) {}

  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    return toDoc<T>(await this.db.doc(path).get());
  }

  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    if (paths.length === 0) return [];
    const snaps = await this.db.getAll(...paths.map((p) => this.db.doc(p)));
    return snaps.map((s) => toDoc<T>(s));
  }

  async create(path: string, data: DocData): Promise<void> {
    const encoded = encodeCreate(path, data);
    try {
      await this.db.doc(path).create(encoded);
    } catch (err) {
      throw mapWriteError(err, path);
    }
  }

  async set(path: string, data: DocData, opts?: { merge?: boolean }): Promise<void> {
    const merge = opts?.merge === true;
    await this.db.doc(path).set(encodeSet(path, data, merge), { merge });
  }

  async update(path: string, patch: Patch): Promise<void> {
    const encoded = encodeUpdate(path, patch);
    try {
      await this.db.doc(path).update(encoded);
    } catch (err) {
      throw mapWriteError(err, path);
    }
  }

  async delete(path: string): Promise<void> {
    checkDelete(path);
    await this.db.doc(path).delete();
  }

  /**
   * firebase-admin's recursiveDelete: it lists every descendant (an all-descendants query, so
   * documents under missing parents too) and deletes them through a BulkWriter, which batches,
   * throttles (500/50/5 ramp-up) and retries failed deletes itself.
   */
  async deleteTree(path: string): Promise<void> {
    checkDelete(path);
    await this.db.recursiveDelete(this.db.doc(path));
  }

  async query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]> {
    const snap = await buildQuery(this.db, collection, q).get();
    return snap.docs.map((d) => toDoc<T>(d) as Doc<T>);
  }

  async count(collection: string, where?: Where[]): Promise<number> {
    const snap = await buildQuery(this.db, collection, { where }).count().get();
    return snap.data().count;
  }

  batch(): WriteBatch {
    return new FirestoreWriteBatch(this.db, this.db.batch());
  }

  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>, opts?: { maxAttempts?: number }): Promise<T> {
    let notes: WriteNote[] = [];
    try {
      return await this.db.runTransaction(
        (t) => {
          notes = [];
          return fn(new FirestoreTransaction(this.db, t, notes));
        },
        { maxAttempts: opts?.maxAttempts ?? 5 },
      );
    } catch (err) {
      throw mapCommitError(err, notes);
    }
  }
}

/** Firestore's WriteBatch buffers the writes; the notes only name documents in errors. */
class FirestoreWriteBatch implements WriteBatch {
  private readonly notes: WriteNote[] = [];
  constructor(
    private readonly db: Firestore,
    private readonly b: FsWriteBatch,
  ) {}

  private ref(path: string) {
    return this.db.doc(path);
  }
  create(path: string, data: DocData): void {
    this.b.create(this.ref(path), encodeCreate(path, data));
    this.notes.push({ kind: "create", path });
  }
  set(path: string, data: DocData, opts?: { merge?: boolean }): void {
    const merge = opts?.merge === true;
    this.b.set(this.ref(path), encodeSet(path, data, merge), { merge });
    this.notes.push({ kind: "set", path });
  }
  update(path: string, patch: Patch): void {
    this.b.update(this.ref(path), encodeUpdate(path, patch));
    this.notes.push({ kind: "update", path });
  }
  delete(path: string): void {
    checkDelete(path);
    this.b.delete(this.ref(path));
    this.notes.push({ kind: "delete", path });
  }
  async commit(): Promise<void> {
    // The port caps a batch at 500 writes (Firestore's documented batch size) on every adapter.
    if (this.notes.length > MAX_BATCH_WRITES) {
      throw new ValidationError(`a batch holds at most ${MAX_BATCH_WRITES} writes`, [{ path: "batch", message: `${this.notes.length} writes` }]);
    }
    try {
      await this.b.commit();
    } catch (err) {
      throw mapCommitError(err, this.notes);
    }
  }
}

class FirestoreTransaction implements Transaction {
  constructor(
    private readonly db: Firestore,
    private readonly t: FsTransaction,
    private readonly notes: WriteNote[],
  ) {}

  async get<T = DocData>(path: string): Promise<Doc<T> | null> {
    return toDoc<T>(await this.t.get(this.db.doc(path)));
  }
  async getAll<T = DocData>(paths: string[]): Promise<(Doc<T> | null)[]> {
    if (paths.length === 0) return [];
    const snaps = await this.t.getAll(...paths.map((p) => this.db.doc(p)));
    return snaps.map((s) => toDoc<T>(s));
  }
  async query<T = DocData>(collection: string, q?: Query): Promise<Doc<T>[]> {
    const snap = await this.t.get(buildQuery(this.db, collection, q));
    return snap.docs.map((d) => toDoc<T>(d) as Doc<T>);
  }
  create(path: string, data: DocData): void {
    this.t.create(this.db.doc(path), encodeCreate(path, data));
    this.notes.push({ kind: "create", path });
  }
  set(path: string, data: DocData, opts?: { merge?: boolean }): void {
    const merge = opts?.merge === true;
    this.t.set(this.db.doc(path), encodeSet(path, data, merge), { merge });
    this.notes.push({ kind: "set", path });
  }
  update(path: string, patch: Patch): void {
    this.t.update(this.db.doc(path), encodeUpdate(path, patch));
    this.notes.push({ kind: "update", path });
  }
  delete(path: string): void {
    checkDelete(path);
    this.t.delete(this.db.doc(path));
    this.notes.push({ kind: "delete", path });
  }
}

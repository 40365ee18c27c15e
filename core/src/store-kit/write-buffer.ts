/**
 * The write half of a transaction or write batch, shared by the store adapters: it validates each
 * write as it is buffered (`prepareWrite`) and refuses writes once closed. Adapters add reads and
 * commit on top.
 */
import { prepareWrite, type PreparedWrite, type WriteOp } from "./doc-data";
import type { DocData, Patch } from "../ports/store";

export abstract class WriteBuffer {
  readonly writes: PreparedWrite[] = [];
  protected closed = false;

  /** `maxWrites`: refuse the write past this many when buffering (the memory store checks at commit instead). */
  constructor(private readonly maxWrites = Number.POSITIVE_INFINITY) {}

  protected add(op: WriteOp): void {
    this.assertOpen();
    if (this.writes.length >= this.maxWrites) throw new Error(`a commit holds at most ${this.maxWrites} writes`);
    this.writes.push(prepareWrite(op));
  }
  /** No more writes (or reads, for a transaction) once committed. */
  close(): void {
    this.closed = true;
  }
  protected assertOpen(): void {
    if (this.closed) throw new Error("this transaction or batch has already been committed");
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
}

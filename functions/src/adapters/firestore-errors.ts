/** Firestore (gRPC) failures → the store port's errors. */
import { AlreadyExistsError, NotFoundError, TransactionConflictError } from "@flowcraft/core";

const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const ABORTED = 10;

function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** Maps a failed single-document write; `path` names the document for the error. */
export function mapWriteError(err: unknown, path: string): unknown {
  switch (grpcCode(err)) {
    case ALREADY_EXISTS:
      return new AlreadyExistsError(path);
    case NOT_FOUND:
      return new NotFoundError(path);
    default:
      return err;
  }
}

/**
 * Maps a failed commit of several writes. Firestore does not say which write failed, so the error
 * names the first write of the failing kind.
 */
export function mapCommitError(err: unknown, writes: readonly { kind: string; path: string }[]): unknown {
  const code = grpcCode(err);
  if (code === ALREADY_EXISTS) return new AlreadyExistsError(writes.find((w) => w.kind === "create")?.path ?? "");
  if (code === NOT_FOUND) return new NotFoundError(writes.find((w) => w.kind === "update")?.path ?? "");
  if (code === ABORTED) return new TransactionConflictError();
  return err;
}

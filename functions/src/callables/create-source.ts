/**
 * createBatch's two inputs: rows inline in the callable body, or a CSV the caller uploaded to
 * Cloud Storage (`uploadPath`, under `uploads/{uid}/`). An upload is checked in one streamed read
 * (the CSV's own checks, its header and row count, before any row is taken from the caller's
 * quota), then handed to createJobFromRows, which reads it twice more (row checks, then writes).
 * Memory stays at one network read plus one commit of chunks, whatever the file's size.
 */
import {
  FIREBASE_LIMITS,
  PermanentError,
  csvErrorUnder,
  csvRowSource,
  scanCsv,
  type BatchLimits,
  type CreateFromRowsInput,
  type CreateJobInput,
} from "@flowcraft/core";
import type { FunctionsDeps } from "../runtime/deps";
import type { CreateBatchInput } from "./schemas";

export type CreateSource = { kind: "rows"; input: CreateJobInput; rowCount: number } | { kind: "upload"; input: CreateFromRowsInput; rowCount: number };

/** Where a user's uploads live (storage.rules lets only that user write there). */
export const uploadPrefix = (uid: string): string => `uploads/${uid}/`;

export async function createSource(input: CreateBatchInput, uid: string, deps: FunctionsDeps, limits: BatchLimits = FIREBASE_LIMITS): Promise<CreateSource> {
  const { uploadPath, columns, rows, ...rest } = input;
  if (uploadPath === undefined) {
    const inline = { ...rest, ownerId: uid, columns: columns ?? [], rows: rows ?? [] };
    return { kind: "rows", input: inline, rowCount: inline.rows.length };
  }
  if (!uploadPath.startsWith(uploadPrefix(uid)) || uploadPath.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw new PermanentError("permission_denied", `uploadPath must be a file under ${uploadPrefix(uid)}`);
  }
  if (!deps.uploads) throw new PermanentError("failed_precondition", "Uploads from Cloud Storage are not available here");
  const file = await deps.uploads.open(uploadPath);
  const opts = { maxRows: limits.maxRows, maxColumns: limits.maxColumns, maxCellBytes: limits.maxCellBytes };
  const summary = await scanCsv(file.read, opts).catch((err: unknown) => {
    throw csvErrorUnder("csv", err);
  });
  const source = csvRowSource(file.read, opts);
  return { kind: "upload", input: { ...rest, ownerId: uid, columns: summary.columns, source }, rowCount: summary.rowCount };
}

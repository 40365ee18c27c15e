/**
 * The Firebase create path for a batch: a large batch goes to Cloud Storage at
 * `uploads/{uid}/{requestId}.csv` (a retry of the submit overwrites the same object) and
 * `createBatch` gets `{uploadPath}` instead of the rows, since a callable body holds 32 MiB at most.
 * The storage call sits behind `PutFile` so the path, the progress and the callable data are
 * testable with fakes; `resumablePut` adapts the SDK's `uploadBytesResumable` task to it. Once the
 * submit has settled (created, or refused for good) the uploaded copy is deleted: `createBatch`
 * has read it into the job's rows by then, and every attempt uploads again anyway.
 */
import type { Job } from "@core/batch/model";
import { submitCreate, type SubmitOptions } from "./submit-create";
import type { CreateBatchInput } from "./types";
import { rowsCsvBlob, shouldUpload } from "./upload-rows";

/** Stores `file` at `path`, reporting bytes sent; resolves once the object is written. */
export type PutFile = (path: string, file: Blob, onProgress: (sent: number, total: number) => void) => Promise<void>;

/** The part of the SDK's UploadTask used here (`on("state_changed")` and awaiting it). */
export interface ResumableTask {
  on(event: "state_changed", next: (snap: { bytesTransferred: number; totalBytes: number }) => void): unknown;
  then(onFulfilled: (value: unknown) => unknown, onRejected: (reason: unknown) => unknown): unknown;
}

export function resumablePut(start: (path: string, file: Blob) => ResumableTask): PutFile {
  return async (path, file, onProgress) => {
    const task = start(path, file);
    task.on("state_changed", (s) => onProgress(s.bytesTransferred, s.totalBytes));
    await task;
  };
}

export const uploadPathFor = (uid: string, requestId: string): string => `uploads/${uid}/${requestId}.csv`;

export interface CreateDataDeps {
  uid: () => Promise<string>;
  put: PutFile;
}

/** The `createBatch` callable's data for one submit: rows inline, or an uploaded file's path. */
export async function createBatchData(req: CreateBatchInput & { requestId: string }, deps: CreateDataDeps): Promise<Record<string, unknown>> {
  const { columns, rows, onUploadProgress, ...rest } = req;
  let source: Record<string, unknown> = { columns, rows };
  if (shouldUpload(rows)) {
    const path = uploadPathFor(await deps.uid(), req.requestId);
    await deps.put(path, rowsCsvBlob(columns, rows), (sent, total) => onUploadProgress?.(total > 0 ? sent / total : 0));
    source = { uploadPath: path };
  }
  // The callable serializer sends `undefined` as null, which the optional fields reject.
  return Object.fromEntries(Object.entries({ ...rest, ...source }).filter(([, v]) => v !== undefined));
}

export interface UploadCreateDeps extends CreateDataDeps {
  /** Deletes the object at `path` (the SDK's deleteObject); a failure is ignored. */
  remove: (path: string) => Promise<void>;
  /** Calls `createBatch` with the data. */
  send: (data: Record<string, unknown>) => Promise<Job>;
}

/** One submit on Firebase: createBatchData + createBatch, retried as submitCreate does, then the upload removed. */
export async function createOnFirebase(input: CreateBatchInput, deps: UploadCreateDeps, opts: SubmitOptions = {}): Promise<Job> {
  const uploaded = new Set<string>();
  try {
    return await submitCreate(
      input,
      async (req) => {
        const data = await createBatchData(req, deps);
        if (typeof data.uploadPath === "string") uploaded.add(data.uploadPath);
        return deps.send(data);
      },
      opts,
    );
  } finally {
    // Left behind only if the tab closes before this line (docs/firebase.md: a lifecycle rule on uploads/ covers that).
    await Promise.all([...uploaded].map((p) => deps.remove(p).catch(() => undefined)));
  }
}

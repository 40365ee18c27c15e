/**
 * The Firebase create path with fakes for Storage and the callable: a batch over the inline limit
 * is stored at uploads/{uid}/{requestId}.csv with progress, and createBatch gets {uploadPath} and
 * no rows; a small batch goes inline. A retried submit writes the same object again. Once the
 * submit settles, created or refused, the uploaded object is deleted (and a failed delete does not
 * fail the create).
 */
import { parseCsv } from "@core/csv/read";
import { createBatchData, createOnFirebase, resumablePut, type PutFile, type ResumableTask } from "../src/backend/firebase-upload";
import { submitCreate } from "../src/backend/submit-create";
import { BackendError, type CreateBatchInput } from "../src/backend/types";
import { UPLOAD_ROWS_ABOVE } from "../src/backend/upload-rows";
import { TEXT_FLOW } from "../../local/test/support/flows";

interface Stored {
  path: string;
  text: string;
}

/** A Storage stand-in: keeps each object's text and reports progress in four steps. */
function fakeStorage(): { put: PutFile; stored: Stored[] } {
  const stored: Stored[] = [];
  const put: PutFile = async (path, file, onProgress) => {
    const text = await file.text();
    for (let i = 1; i <= 4; i++) onProgress((file.size * i) / 4, file.size);
    stored.push({ path, text });
  };
  return { put, stored };
}

const rowsOf = (n: number): Record<string, string>[] =>
  Array.from({ length: n }, (_, i) => ({ topic: `t${i}`, tone: i % 2 ? "dry" : "warm, kind", n: String(i) }));
const input = (n: number, extra: Partial<CreateBatchInput> = {}): CreateBatchInput => ({
  name: "big",
  flow: TEXT_FLOW,
  columns: ["topic", "tone", "n"],
  rows: rowsOf(n),
  concurrency: 4,
  start: true,
  ...extra,
});
const uid = async (): Promise<string> => "user-1";

describe("createBatchData (Firebase create path)", () => {
  it("uploads a large batch under uploads/{uid}/ and sends only its path to createBatch", async () => {
    const { put, stored } = fakeStorage();
    const progress: number[] = [];
    const data = await createBatchData({ ...input(UPLOAD_ROWS_ABOVE + 1, { onUploadProgress: (f) => progress.push(f) }), requestId: "req-1" }, { uid, put });
    expect(stored.map((s) => s.path)).toEqual(["uploads/user-1/req-1.csv"]);
    expect(data).toEqual({ name: "big", flow: TEXT_FLOW, concurrency: 4, start: true, requestId: "req-1", uploadPath: "uploads/user-1/req-1.csv" });
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    const parsed = parseCsv(stored[0]?.text ?? "");
    expect(parsed.columns).toEqual(["topic", "tone", "n"]);
    expect(parsed.rows).toHaveLength(UPLOAD_ROWS_ABOVE + 1);
    expect(parsed.rows[2]).toEqual({ topic: "t2", tone: "warm, kind", n: "2" });
  });

  it("sends a small batch inline and uploads nothing", async () => {
    const { put, stored } = fakeStorage();
    const data = await createBatchData({ ...input(3), requestId: "req-2" }, { uid, put });
    expect(stored).toEqual([]);
    expect(data).toMatchObject({ columns: ["topic", "tone", "n"], rows: rowsOf(3), requestId: "req-2" });
    expect(Object.values(data)).not.toContain(undefined);
  });

  it("a retried submit reuses its request id, so the same object is written again", async () => {
    const { put, stored } = fakeStorage();
    const calls: Record<string, unknown>[] = [];
    const job = await submitCreate(
      input(UPLOAD_ROWS_ABOVE + 10),
      async (req) => {
        const data = await createBatchData(req, { uid, put });
        calls.push(data);
        if (calls.length === 1) throw new BackendError({ code: "unavailable", message: "lost", retryable: true });
        return { id: "job-1" } as never;
      },
      { sleep: async () => {}, newRequestId: () => "req-3" },
    );
    expect(job).toEqual({ id: "job-1" });
    expect(stored.map((s) => s.path)).toEqual(["uploads/user-1/req-3.csv", "uploads/user-1/req-3.csv"]);
    expect(calls.map((c) => c.uploadPath)).toEqual(["uploads/user-1/req-3.csv", "uploads/user-1/req-3.csv"]);
  });
});

describe("createOnFirebase", () => {
  it("deletes the uploaded CSV once createBatch has answered, after a retried attempt too", async () => {
    const { put, stored } = fakeStorage();
    const removed: string[] = [];
    let calls = 0;
    const job = await createOnFirebase(
      input(UPLOAD_ROWS_ABOVE + 1),
      {
        uid,
        put,
        remove: async (p) => void removed.push(p),
        send: async (data) => {
          calls += 1;
          expect(removed).toEqual([]); // never while a call may still read it
          if (calls === 1) throw new BackendError({ code: "unavailable", message: "lost", retryable: true });
          expect(data.uploadPath).toBe("uploads/user-1/req-9.csv");
          return { id: "job-9" } as never;
        },
      },
      { sleep: async () => {}, newRequestId: () => "req-9" },
    );
    expect(job).toEqual({ id: "job-9" });
    expect(stored).toHaveLength(2);
    expect(removed).toEqual(["uploads/user-1/req-9.csv"]);
  });

  it("deletes it when the create is refused, and a failed delete does not hide the answer", async () => {
    const { put } = fakeStorage();
    const removed: string[] = [];
    const refused = new BackendError({ code: "invalid_input", message: "bad rows", retryable: false });
    const deps = {
      uid,
      put,
      remove: async (p: string) => {
        removed.push(p);
        throw new Error("storage/retry-limit-exceeded");
      },
      send: async (): Promise<never> => {
        throw refused;
      },
    };
    await expect(createOnFirebase(input(UPLOAD_ROWS_ABOVE + 1), deps, { newRequestId: () => "req-10" })).rejects.toBe(refused);
    expect(removed).toEqual(["uploads/user-1/req-10.csv"]);
  });

  it("removes nothing for a batch sent inline", async () => {
    const { put } = fakeStorage();
    const removed: string[] = [];
    const job = await createOnFirebase(input(3), { uid, put, remove: async (p) => void removed.push(p), send: async () => ({ id: "job-s" }) as never });
    expect(job).toEqual({ id: "job-s" });
    expect(removed).toEqual([]);
  });
});

/** An UploadTask stand-in: emits the given snapshots on subscribe, then settles. */
function fakeTask(snaps: [number, number][], fail?: Error): ResumableTask {
  let listener: ((s: { bytesTransferred: number; totalBytes: number }) => void) | null = null;
  const done = Promise.resolve().then(() => {
    for (const [sent, total] of snaps) listener?.({ bytesTransferred: sent, totalBytes: total });
    if (fail) throw fail;
  });
  return {
    on: (_event, next) => (listener = next),
    then: (ok, bad) => done.then(ok, bad),
  };
}

describe("resumablePut (uploadBytesResumable adapter)", () => {
  it("starts the upload at the path and forwards byte progress", async () => {
    const started: string[] = [];
    const seen: [number, number][] = [];
    const put = resumablePut((path) => {
      started.push(path);
      return fakeTask([
        [0, 10],
        [6, 10],
        [10, 10],
      ]);
    });
    await put("uploads/u/r.csv", new Blob(["a\r\n1\r\n"]), (sent, total) => seen.push([sent, total]));
    expect(started).toEqual(["uploads/u/r.csv"]);
    expect(seen).toEqual([
      [0, 10],
      [6, 10],
      [10, 10],
    ]);
  });

  it("rejects when the upload fails", async () => {
    const put = resumablePut(() => fakeTask([[1, 10]], new Error("storage/unauthorized")));
    await expect(put("uploads/u/r.csv", new Blob(["x"]), () => {})).rejects.toThrow("storage/unauthorized");
  });
});

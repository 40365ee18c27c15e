/**
 * createBatch {uploadPath} (the real export, wrapped by firebase-functions-test): a CSV the caller
 * uploaded to Cloud Storage is parsed server-side as a stream and its row chunks are written in
 * bulk (staged commits within Firestore's limits); a bad file lists its first problems with the
 * total and writes nothing; only the caller's own `uploads/{uid}/` may be named; 100,000 rows fit
 * FIREBASE_LIMITS. The bucket is an in-memory UploadReader that hands the file out in 64 KiB reads.
 */
import { HttpsError } from "firebase-functions/v2/https";
import { FIREBASE_LIMITS, OfflineAiService } from "@flowcraft/core";
import { noSuchUpload, type UploadFile, type UploadReader } from "../src/adapters/storage-uploads";
import { Harness, auth, fft, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

class MemoryUploads implements UploadReader {
  readonly files = new Map<string, Buffer>();
  reads = 0;

  open(path: string): Promise<UploadFile> {
    const data = this.files.get(path);
    if (!data) return Promise.reject(noSuchUpload(path));
    const reads = (): AsyncIterable<Uint8Array> => {
      this.reads += 1;
      return (async function* () {
        for (let i = 0; i < data.length; i += 1 << 16) yield data.subarray(i, i + (1 << 16));
      })();
    };
    return Promise.resolve({ size: data.length, read: reads });
  }
}

const csv = (n: number, cell = (i: number) => `t${i}`): Buffer => Buffer.from(`topic\n${Array.from({ length: n }, (_, i) => cell(i)).join("\n")}\n`);
const req = (uid: string, data: Record<string, unknown>) => ({ data: { flow: textFlow(), ...data }, auth: auth(uid) }) as never;

describe("createBatch {uploadPath}", () => {
  it("creates the batch from the upload, rows in order, chunks written in several commits", async () => {
    const uploads = new MemoryUploads();
    uploads.files.set(
      "uploads/alice/rows.csv",
      csv(3_000, (i) => `"é ${i}, ""q"""`),
    );
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, uploads });
    const { job } = await h.createBatch(req("alice", { uploadPath: "uploads/alice/rows.csv" }));
    expect(job.totalRows).toBe(3_000);
    expect(job.columns).toEqual(["topic"]);
    const chunks = Object.values(h.store.snapshot(`batch_jobs/${job.id}/rows`)) as { start: number; rows: { topic: string }[] }[];
    expect(chunks).toHaveLength(15);
    const all = chunks.sort((a, b) => a.start - b.start).flatMap((c) => c.rows.map((r) => r.topic));
    expect(all[7]).toBe('é 7, "q"');
    expect(all).toHaveLength(3_000);
    expect(uploads.reads).toBe(3); // the CSV check, then the create's check and write passes
  });

  it("a bad file: the first problems with the total, under csv, and nothing written", async () => {
    const uploads = new MemoryUploads();
    uploads.files.set(
      "uploads/alice/bad.csv",
      csv(2_000, (i) => (i % 40 === 5 ? `t${i},extra` : `t${i}`)),
    );
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, uploads });
    const err = (await h.createBatch(req("alice", { uploadPath: "uploads/alice/bad.csv" })).catch((e: unknown) => e)) as HttpsError;
    expect(err).toBeInstanceOf(HttpsError);
    expect(err.code).toBe("invalid-argument");
    const details = (err.details as { details: { path: string }[] }).details;
    expect(details).toHaveLength(20);
    expect(details[0]!.path).toBe("csv.rows[5]");
    expect(err.message).toMatch(/and 49 more problems; the first 20 are listed/);
    expect(h.store.docCount()).toBe(0);
  });

  it("refuses another user's upload path, and a missing file, writing nothing", async () => {
    const uploads = new MemoryUploads();
    uploads.files.set("uploads/bob/rows.csv", csv(3));
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, uploads });
    for (const uploadPath of ["uploads/bob/rows.csv", "uploads/alice/../bob/rows.csv", "other/rows.csv"]) {
      const err = (await h.createBatch(req("alice", { uploadPath })).catch((e: unknown) => e)) as HttpsError;
      expect([uploadPath, err.code]).toEqual([uploadPath, "permission-denied"]);
    }
    const missing = (await h.createBatch(req("alice", { uploadPath: "uploads/alice/none.csv" })).catch((e: unknown) => e)) as HttpsError;
    expect(missing.code).toBe("invalid-argument");
    expect(uploads.reads).toBe(0);
    expect(h.store.docCount()).toBe(0);
  });

  it("takes rows inline or an upload, not both", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, uploads: new MemoryUploads() });
    const err = (await h
      .createBatch(req("alice", { uploadPath: "uploads/alice/x.csv", columns: ["topic"], rows: [{ topic: "a" }] }))
      .catch((e: unknown) => e)) as HttpsError;
    expect(err.code).toBe("invalid-argument");
  });

  it("FIREBASE_LIMITS allow 100,000 rows: such an upload becomes one batch of 500 chunks", async () => {
    expect(FIREBASE_LIMITS.maxRows).toBe(100_000);
    const uploads = new MemoryUploads();
    uploads.files.set("uploads/alice/big.csv", csv(100_000));
    // The default ROWS_PER_DAY (20,000) is a per-user abuse guard: a deployment for such batches raises it.
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, uploads, limits: FIREBASE_LIMITS, quota: { rowsPerDay: 100_000 } });
    const { job } = await h.createBatch(req("alice", { uploadPath: "uploads/alice/big.csv" }));
    expect(job.totalRows).toBe(100_000);
    expect(h.store.docCount(`batch_jobs/${job.id}/rows`)).toBe(500);
  });
});

/**
 * The disk blob store passes the shared BlobStore conformance suite, and refuses keys and refs
 * that would reach outside its media directory.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeBlobStoreConformance } from "@flowcraft/core/testing";
import { DiskBlobStore } from "../src/disk-blob-store";

describeBlobStoreConformance("disk", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-blobs-"));
  return { blobs: new DiskBlobStore(dir), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
});

describe("DiskBlobStore paths", () => {
  it("stores under <dataDir>/media and rejects traversal in keys and refs", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-blobs-"));
    fs.writeFileSync(path.join(dir, "secret.txt"), "secret");
    const blobs = new DiskBlobStore(dir);
    const { ref } = await blobs.put("batch_jobs/j1/media/000001/img.png", new Uint8Array([1, 2, 3]), "image/png");
    expect(ref).toBe("local:batch_jobs/j1/media/000001/img.png");
    expect(fs.existsSync(path.join(dir, "media/data/batch_jobs/j1/media/000001/img.png"))).toBe(true);
    await expect(blobs.put("../secret.txt", new Uint8Array([0]), "text/plain")).rejects.toThrow("invalid blob key");
    expect(await blobs.get("local:../../secret.txt")).toBeNull();
    expect(await blobs.get("gs://bucket/batch_jobs/j1/media/000001/img.png")).toBeNull();
    expect(fs.readFileSync(path.join(dir, "secret.txt"), "utf8")).toBe("secret");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * Conformance suite for BlobStore adapters (memory, disk, Cloud Storage). Imported by path from
 * tests (it uses jest globals), never from the package index.
 */
import type { BlobStore } from "../../ports/blob-store";

export interface BlobFixture {
  blobs: BlobStore;
  cleanup?: () => Promise<void> | void;
}
export type BlobFactory = () => Promise<BlobFixture> | BlobFixture;

const bytes = (...values: number[]) => new Uint8Array(values);

export function describeBlobStoreConformance(name: string, makeBlobs: BlobFactory): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let fixture: BlobFixture | undefined;
    const blobs = () => fixture!.blobs;
    beforeEach(async () => {
      fixture = await makeBlobs();
    });
    afterEach(async () => {
      await fixture?.cleanup?.();
      fixture = undefined;
    });

    it("round-trips bytes and content type through the returned ref", async () => {
      const put = await blobs().put("batch_jobs/j1/media/r1/img.png", bytes(1, 2, 3, 255), "image/png");
      expect(put.bytes).toBe(4);
      const got = await blobs().get(put.ref);
      expect(got?.mimeType).toBe("image/png");
      expect(Array.from(got!.data)).toEqual([1, 2, 3, 255]);
    });

    it("overwrites the same key in place (a retried row replaces its own media)", async () => {
      const first = await blobs().put("m/r1/n1.bin", bytes(1), "application/octet-stream");
      const second = await blobs().put("m/r1/n1.bin", bytes(9, 9), "video/mp4");
      expect(second.ref).toBe(first.ref);
      const got = await blobs().get(first.ref);
      expect(got?.mimeType).toBe("video/mp4");
      expect(Array.from(got!.data)).toEqual([9, 9]);
    });

    it("keeps different keys apart", async () => {
      const a = await blobs().put("m/a.bin", bytes(1), "application/octet-stream");
      const b = await blobs().put("m/b.bin", bytes(2), "application/octet-stream");
      expect(a.ref).not.toBe(b.ref);
      expect(Array.from((await blobs().get(a.ref))!.data)).toEqual([1]);
      expect(Array.from((await blobs().get(b.ref))!.data)).toEqual([2]);
    });

    it("returns null after delete, and deleting twice is fine", async () => {
      const { ref } = await blobs().put("m/gone.bin", bytes(1), "application/octet-stream");
      await blobs().delete(ref);
      await blobs().delete(ref);
      expect(await blobs().get(ref)).toBeNull();
    });

    it("deletePrefix removes every blob under the prefix and spares neighbours", async () => {
      const a = await blobs().put("batch_jobs/j1/media/000001/img.png", bytes(1), "image/png");
      const b = await blobs().put("batch_jobs/j1/media/000002/vid.mp4", bytes(2), "video/mp4");
      const near = await blobs().put("batch_jobs/j10/media/000001/img.png", bytes(3), "image/png");
      const other = await blobs().put("batch_jobs/j2/media/000001/img.png", bytes(4), "image/png");
      await blobs().deletePrefix("batch_jobs/j1");
      await blobs().deletePrefix("batch_jobs/j1"); // idempotent
      await blobs().deletePrefix("batch_jobs/none");
      expect(await blobs().get(a.ref)).toBeNull();
      expect(await blobs().get(b.ref)).toBeNull();
      expect(Array.from((await blobs().get(near.ref))!.data)).toEqual([3]);
      expect(Array.from((await blobs().get(other.ref))!.data)).toEqual([4]);
    });

    it("does not alias the caller's buffer", async () => {
      const data = bytes(1, 2, 3);
      const { ref } = await blobs().put("m/copy.bin", data, "application/octet-stream");
      data[0] = 42;
      const got = await blobs().get(ref);
      got!.data[1] = 42;
      expect(Array.from((await blobs().get(ref))!.data)).toEqual([1, 2, 3]);
    });

    it("stores empty and large (1 MiB) blobs", async () => {
      const empty = await blobs().put("m/empty.bin", new Uint8Array(0), "application/octet-stream");
      expect((await blobs().get(empty.ref))?.data.byteLength).toBe(0);
      const big = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
      const { ref, bytes: n } = await blobs().put("m/big.bin", big, "application/octet-stream");
      expect(n).toBe(big.byteLength);
      const got = (await blobs().get(ref))!.data;
      expect(got.byteLength).toBe(big.byteLength);
      expect(got[1000]).toBe(1000 % 251);
      expect(got[big.byteLength - 1]).toBe((big.byteLength - 1) % 251);
    });

    it("rejects keys that climb out of their directory", async () => {
      await expect(blobs().put("../escape.bin", bytes(1), "application/octet-stream")).rejects.toThrow();
      await expect(blobs().put("m/../../x.bin", bytes(1), "application/octet-stream")).rejects.toThrow();
    });
  });
}

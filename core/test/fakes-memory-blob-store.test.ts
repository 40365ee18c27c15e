import { describeBlobStoreConformance } from "../src/testing/conformance/blob-store-conformance";
import { MemoryBlobStore } from "../src/testing/memory-blob-store";

describeBlobStoreConformance("memory", () => ({ blobs: new MemoryBlobStore() }));

describe("MemoryBlobStore extras", () => {
  it("counts puts and bytes held, and ignores foreign refs", async () => {
    const blobs = new MemoryBlobStore();
    await blobs.put("a/1.bin", new Uint8Array(3), "application/octet-stream");
    await blobs.put("a/1.bin", new Uint8Array(5), "application/octet-stream");
    await blobs.put("a/2.bin", new Uint8Array(2), "application/octet-stream");
    expect(blobs.puts).toBe(3);
    expect(blobs.totalBytes).toBe(7);
    expect(blobs.keys()).toEqual(["a/1.bin", "a/2.bin"]);
    expect(await blobs.get("gs://bucket/a/1.bin")).toBeNull();
  });
});

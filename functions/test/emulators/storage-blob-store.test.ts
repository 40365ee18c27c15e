/**
 * StorageBlobStore through the shared BlobStore conformance suite, against the Storage emulator.
 * Skipped (saying why) outside `npm run test:emulators`.
 */
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getStorage } from "firebase-admin/storage";
import { describeBlobStoreConformance } from "@flowcraft/core/testing";
import { StorageBlobStore } from "../../src/adapters/storage-blob-store";
import { StorageUploads } from "../../src/adapters/storage-uploads";
import { SKIP_NOTE, emulatorsRunning } from "./emulator-env";

if (emulatorsRunning()) {
  let app: App;
  beforeAll(() => {
    app = initializeApp({ projectId: process.env.GCLOUD_PROJECT ?? "demo-flowcraft" }, "blob-test");
  });
  afterAll(async () => {
    await deleteApp(app);
  });
  describeBlobStoreConformance("cloud storage (emulator)", () => ({
    blobs: new StorageBlobStore(getStorage(app).bucket(`${process.env.GCLOUD_PROJECT ?? "demo-flowcraft"}.appspot.com`)),
  }));
  describe("StorageUploads (emulator)", () => {
    const bucket = () => getStorage(app).bucket(`${process.env.GCLOUD_PROJECT ?? "demo-flowcraft"}.appspot.com`);
    const readAll = async (it: AsyncIterable<Uint8Array>): Promise<Buffer> => {
      const parts: Buffer[] = [];
      for await (const p of it) parts.push(Buffer.from(p));
      return Buffer.concat(parts);
    };
    it("reads an upload as a stream, the same bytes on every read; a missing one is invalid_input on uploadPath", async () => {
      const body = Buffer.from(`topic\n${Array.from({ length: 50_000 }, (_, i) => `t${i}`).join("\n")}\n`);
      await bucket().file("uploads/alice/rows.csv").save(body, { contentType: "text/csv", resumable: false });
      const file = await new StorageUploads(bucket).open("uploads/alice/rows.csv");
      expect(file.size).toBe(body.length);
      expect(await readAll(file.read())).toEqual(body);
      expect(await readAll(file.read())).toEqual(body);
      const missing = await new StorageUploads(bucket).open("uploads/alice/none.csv").catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: "invalid_input", details: [{ path: "uploadPath" }] });
    });
  });
} else {
  it.skip(`BlobStore conformance: cloud storage (skipped: ${SKIP_NOTE})`, () => {});
}

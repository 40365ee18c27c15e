/**
 * StorageBlobStore through the shared BlobStore conformance suite, against the Storage emulator.
 * Skipped (saying why) outside `npm run test:emulators`.
 */
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getStorage } from "firebase-admin/storage";
import { describeBlobStoreConformance } from "../../../core/src/ports/conformance/blob-store-conformance";
import { StorageBlobStore } from "../../src/adapters/storage-blob-store";
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
} else {
  it.skip(`BlobStore conformance: cloud storage (skipped: ${SKIP_NOTE})`, () => {});
}

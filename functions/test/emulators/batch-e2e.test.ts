/**
 * End to end on the emulator suite: a signed-in client calls the emulated `createBatch` callable;
 * the Firestore trigger, the Cloud Tasks emulator and the task function run the rows with the
 * offline AI provider (functions/.env.local sets AI_PROVIDER=offline); the job completes with one
 * result per row, images land in the Storage emulator as `gs://` refs, and a second user cannot
 * start the first user's job. Skipped (saying why) outside `npm run test:emulators`.
 */
import { deleteApp as deleteClientApp, initializeApp as initializeClientApp, type FirebaseApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInAnonymously, signOut } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions, httpsCallable } from "firebase/functions";
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { getStorage } from "firebase-admin/storage";
import type { Job, RowResult } from "@flowcraft/core";
import { SKIP_NOTE, emulatorsRunning } from "./emulator-env";

const suite = emulatorsRunning() ? describe : describe.skip;
const title = emulatorsRunning() ? "batch on the emulator suite" : `batch on the emulator suite (skipped: ${SKIP_NOTE})`;
const projectId = process.env.GCLOUD_PROJECT ?? "demo-flowcraft";

const flow = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "text", type: "text", data: { prompt: "Describe {{topic}}" } },
    { id: "image", type: "image", data: { prompt: "A picture of {{topic}}" } },
    { id: "summary", type: "output", data: { name: "summary" } },
    { id: "picture", type: "output", data: { name: "picture" } },
  ],
  edges: [
    { source: "topic", target: "text" },
    { source: "topic", target: "image" },
    { source: "text", target: "summary" },
    { source: "image", target: "picture" },
  ],
};

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
}

suite(title, () => {
  let client: FirebaseApp;
  let admin: App;

  beforeAll(() => {
    client = initializeClientApp({ projectId, apiKey: "demo-key", appId: "demo" }, "e2e-client");
    connectAuthEmulator(getAuth(client), `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}`, { disableWarnings: true });
    connectFunctionsEmulator(getFunctions(client, "us-central1"), "127.0.0.1", 5001);
    admin = initializeApp({ projectId, storageBucket: `${projectId}.appspot.com` }, "e2e-admin");
  });
  afterAll(async () => {
    await deleteClientApp(client);
    await deleteApp(admin);
  });

  it("runs 5 rows at concurrency 2 to completion with media in Storage", async () => {
    await signInAnonymously(getAuth(client));
    const create = httpsCallable<unknown, { job: Job }>(getFunctions(client, "us-central1"), "createBatch", { timeout: 60_000 });
    const rows = ["tea", "coffee", "cocoa", "juice", "water"].map((topic) => ({ topic }));
    const { job } = (await create({ name: "e2e", flow, columns: ["topic"], rows, concurrency: 2, start: true })).data;
    expect(job.status).toBe("processing");

    const db = getFirestore(admin);
    const final = await waitFor(
      async () => (await db.doc(`batch_jobs/${job.id}`).get()).data() as Job,
      (j) => j.status === "completed" || j.status === "failed",
    );
    expect(final.status).toBe("completed");
    expect(final.completedRows).toBe(5);
    const results = (await db.collection(`batch_jobs/${job.id}/results`).orderBy("rowIndex").get()).docs.map((d) => d.data() as RowResult);
    expect(results.map((r) => r.rowIndex)).toEqual([0, 1, 2, 3, 4]);
    const picture = results[0]!.outputs.picture;
    expect(picture?.kind).toBe("mediaRef");
    const ref = picture && picture.kind === "mediaRef" ? picture.ref : "";
    expect(ref.startsWith(`gs://${projectId}.appspot.com/batch_jobs/${job.id}/`)).toBe(true);
    const [bytes] = await getStorage(admin)
      .bucket()
      .file(ref.replace(`gs://${projectId}.appspot.com/`, ""))
      .download();
    expect(bytes.byteLength).toBeGreaterThan(0);
  });

  it("hides a user's job from another user", async () => {
    const auth = getAuth(client);
    await signInAnonymously(auth);
    const create = httpsCallable<unknown, { job: Job }>(getFunctions(client, "us-central1"), "createBatch");
    const { job } = (await create({ flow, columns: ["topic"], rows: [{ topic: "x" }] })).data;
    await signOut(auth);
    await signInAnonymously(auth);
    const start = httpsCallable(getFunctions(client, "us-central1"), "startBatch");
    await expect(start({ jobId: job.id })).rejects.toMatchObject({ code: "functions/not-found" });
  });
});

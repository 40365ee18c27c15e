/**
 * The emulated callables and the deploy options they run with: every callable is served in the
 * REGION param's region (functions/.env.local or .env, default us-central1) and the row queue the
 * core enqueues to is addressed in that region too (a started batch completes); App Check is not
 * enforced under the emulator (FUNCTIONS_EMULATOR=true), so a client without App Check is served;
 * the per-user AI quota holds on the Firestore emulator's transactions. Skipped (saying why)
 * outside `npm run test:emulators`.
 */
import fs from "node:fs";
import path from "node:path";
import { deleteApp as deleteClientApp, initializeApp as initializeClientApp, type FirebaseApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInAnonymously } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from "firebase/functions";
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { DEFAULT_QUOTA_LIMITS, type Job } from "@flowcraft/core";
import { SKIP_NOTE, emulatorsRunning } from "./emulator-env";

const suite = emulatorsRunning() ? describe : describe.skip;
const title = emulatorsRunning() ? "region and App Check on the emulator suite" : `region and App Check on the emulator suite (skipped: ${SKIP_NOTE})`;
const projectId = process.env.GCLOUD_PROJECT ?? "demo-flowcraft";

/** topic → text → summary */
const flow = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "text", type: "text", data: { prompt: "Describe {{topic}}" } },
    { id: "out", type: "output", data: { name: "summary" } },
  ],
  edges: [
    { source: "topic", target: "text" },
    { source: "text", target: "out" },
  ],
};

/** The REGION the emulator resolved for the manifest's `{{ params.REGION }}`: .env.local over .env, else the default. */
function emulatedRegion(): string {
  for (const file of [".env.local", ".env"]) {
    const p = path.resolve(__dirname, "../..", file);
    if (!fs.existsSync(p)) continue;
    const m = /^REGION=(.+)$/m.exec(fs.readFileSync(p, "utf8"));
    if (m) return (m[1] as string).trim();
  }
  return "us-central1";
}

suite(title, () => {
  const region = emulatedRegion();
  let client: FirebaseApp;
  let admin: App;
  let functions: Functions;

  beforeAll(async () => {
    client = initializeClientApp({ projectId, apiKey: "demo-key", appId: "demo" }, "region-client");
    connectAuthEmulator(getAuth(client), `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}`, { disableWarnings: true });
    functions = getFunctions(client, region);
    connectFunctionsEmulator(functions, "127.0.0.1", 5001);
    admin = initializeApp({ projectId }, "region-admin");
    await signInAnonymously(getAuth(client));
  });
  afterAll(async () => {
    await deleteClientApp(client);
    await deleteApp(admin);
  });

  it("serves the callables in REGION without an App Check token, and refuses another region", async () => {
    const text = httpsCallable<unknown, { text: string }>(functions, "generateText");
    expect((await text({ model: "gemini-2.5-flash", prompt: "hello" })).data.text.length).toBeGreaterThan(0);
    const other = getFunctions(client, region === "asia-south1" ? "asia-east1" : "asia-south1");
    connectFunctionsEmulator(other, "127.0.0.1", 5001);
    await expect(httpsCallable(other, "generateText")({ model: "m", prompt: "p" })).rejects.toBeDefined();
  });

  it("runs a started batch to completion through the row queue in the same region", async () => {
    const create = httpsCallable<unknown, { job: Job }>(functions, "createBatch", { timeout: 60_000 });
    const { job } = (await create({ flow, columns: ["topic"], rows: [{ topic: "a" }, { topic: "b" }], concurrency: 2, start: true })).data;
    const db = getFirestore(admin);
    let status = job.status;
    for (let i = 0; i < 240 && status !== "completed" && status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = ((await db.doc(`batch_jobs/${job.id}`).get()).data() as Job).status;
    }
    expect(status).toBe("completed");
  });

  it("returns the same job for a repeated requestId, in an emulated transaction, and refuses it with another payload", async () => {
    const create = httpsCallable<unknown, { job: Job }>(functions, "createBatch", { timeout: 60_000 });
    const payload = { flow, columns: ["topic"], rows: [{ topic: "a" }], requestId: `emu-${Date.now()}` };
    const [a, b] = await Promise.all([create(payload), create(payload)]);
    expect(b.data.job.id).toBe(a.data.job.id);
    const again = await create(payload);
    expect(again.data.job.id).toBe(a.data.job.id);
    await expect(create({ ...payload, rows: [{ topic: "b" }] })).rejects.toMatchObject({ code: "functions/already-exists" });
    const db = getFirestore(admin);
    const uid = (a.data.job as { ownerId: string }).ownerId;
    const mine = await db.collection("batch_jobs").where("ownerId", "==", uid).get();
    expect(mine.docs.filter((d) => d.get("totalRows") === 1 && d.id === a.data.job.id)).toHaveLength(1);
  });

  it("answers resource-exhausted past the AI calls a minute (counted in a Firestore transaction)", async () => {
    const text = httpsCallable(functions, "generateText");
    const codes: string[] = [];
    for (let i = 0; i <= DEFAULT_QUOTA_LIMITS.aiCallsPerMinute + 1; i++) {
      codes.push(
        await text({ model: "m", prompt: `p${i}` }).then(
          () => "ok",
          (err: { code?: string }) => err.code ?? "?",
        ),
      );
    }
    // The first test's call may share the minute: at most the limit succeed, then the refusals.
    expect(codes.filter((c) => c === "ok").length).toBeLessThanOrEqual(DEFAULT_QUOTA_LIMITS.aiCallsPerMinute);
    expect(codes).toContain("functions/resource-exhausted");
  });
});

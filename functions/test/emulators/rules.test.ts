/**
 * firestore.rules and storage.rules against the emulators (@firebase/rules-unit-testing):
 * owners read their jobs and the jobs' rows, results and webhook events (not the server's lanes, claims,
 * checkpoints or retry passes, nor the governor's state or settings); other users and signed-out clients read nothing; nobody writes; owners read their media in Storage (checked against the job document).
 * Runs under `npm run test:emulators`; skipped (saying why) in the plain jest run.
 */
import fs from "node:fs";
import path from "node:path";
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";

import { SKIP_NOTE, emulatorsRunning } from "./emulator-env";

const root = path.resolve(__dirname, "../../..");
type ClientDb = ReturnType<ReturnType<RulesTestEnvironment["authenticatedContext"]>["firestore"]>;
let env: RulesTestEnvironment;
const suite = emulatorsRunning() ? describe : describe.skip;
const title = emulatorsRunning() ? "security rules" : `security rules (skipped: ${SKIP_NOTE})`;

suite(title, () => {
  beforeAll(async () => {
    env = await initializeTestEnvironment({
      projectId: "demo-flowcraft",
      firestore: { rules: fs.readFileSync(path.join(root, "firestore.rules"), "utf8") },
      storage: { rules: fs.readFileSync(path.join(root, "storage.rules"), "utf8") },
    });
  });
  afterAll(async () => {
    await env.cleanup();
  });
  beforeEach(async () => {
    await env.clearFirestore();
    await env.clearStorage();
    await env.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore();
      await db.doc("batch_jobs/j1").set({ ownerId: "alice", status: "processing", createdAt: 1 });
      await db.doc("batch_jobs/j2").set({ ownerId: "bob", status: "pending", createdAt: 2 });
      await db.doc("batch_jobs/j1/results/000000").set({ rowIndex: 0, status: "succeeded" });
      await db.doc("batch_jobs/j1/rows/00000").set({ start: 0, rows: [{ a: "1" }] });
      await db.doc("batch_jobs/j1/lanes/l0").set({ current: 0 });
      await db.doc("batch_jobs/j1/webhook_events/e1").set({ jobId: "j1", status: "delivered" });
      await db.doc("webhook_outbox/e1").set({ jobId: "j1", eventId: "j1:completed:0", createdAt: 1 });
      await db.doc("batch_jobs/j1/claims/c1").set({ at: 1 });
      await db.doc("batch_jobs/j1/checkpoints/000000").set({ pass: 0 });
      await db.doc("batch_jobs/j1/passes/1-a-0").set({ pass: 1 });
      await db.doc("batch_owners/o1").set({ ownerId: "alice", counted: true, active: { j1: 1 } });
      await db.doc("batch_requests/r1").set({ ownerId: "alice", requestId: "x", jobId: "j1", hash: "h", createdAt: 1 });
      await db.doc("batch_creates/j3").set({ ownerId: "alice", jobId: "j3", chunks: 1, createdAt: 1, abandoned: false });
      await db.doc("batch_jobs/j3/rows/00000").set({ start: 0, rows: [{ a: "staged" }] });
      await db.doc("settings/governor").set({ limits: { "*": { rpm: 60 } }, updatedAt: 1, updatedBy: "root" });
      await db.doc("governor/m1").set({ effRpm: 42, lastCutAt: 1, retryUntil: 0 });
      await db.doc("governor/m1/shards/0").set({ windows: {}, day: 1, dayGranted: 0 });
      await ctx
        .storage()
        .ref("batch_jobs/j1/media/000000/img.png")
        .put(new Uint8Array([1, 2, 3]), { contentType: "image/png" });
    });
  });

  describe("firestore.rules", () => {
    it("lets owners read their job and its rows and results", async () => {
      const db = env.authenticatedContext("alice").firestore();
      await assertSucceeds(db.doc("batch_jobs/j1").get());
      await assertSucceeds(db.collection("batch_jobs/j1/results").orderBy("rowIndex").get());
      await assertSucceeds(db.doc("batch_jobs/j1/rows/00000").get());
      await assertSucceeds(db.collection("batch_jobs/j1/webhook_events").get());
      await assertSucceeds(db.collection("batch_jobs").where("ownerId", "==", "alice").orderBy("createdAt", "desc").get());
    });

    it("lets only the owner read a range of input row chunks by their first row index", async () => {
      // The range read a client makes for rows [from, to): the chunk holding `from`, then the
      // chunks that start inside the range (single-field indexes on `start`, no composite index).
      const holding = (db: ClientDb) => db.collection("batch_jobs/j1/rows").where("start", "<=", 0).orderBy("start", "desc").limit(1).get();
      const inside = (db: ClientDb) => db.collection("batch_jobs/j1/rows").where("start", ">", 0).where("start", "<", 100).orderBy("start").get();
      const alice = env.authenticatedContext("alice").firestore();
      const chunk = await assertSucceeds(holding(alice));
      expect(chunk.docs.map((d) => d.id)).toEqual(["00000"]);
      await assertSucceeds(inside(alice));
      const mallory = env.authenticatedContext("mallory").firestore();
      await assertFails(holding(mallory));
      await assertFails(inside(mallory));
    });

    it("hides other users' jobs, unfiltered lists and internal bookkeeping", async () => {
      const db = env.authenticatedContext("alice").firestore();
      await assertFails(db.doc("batch_jobs/j2").get());
      await assertFails(db.collection("batch_jobs").get());
      await assertFails(db.doc("batch_jobs/j1/claims/c1").get());
      await assertFails(db.doc("batch_jobs/j1/lanes/l0").get());
      await assertFails(db.collection("batch_jobs/j1/lanes").get());
      await assertFails(db.doc("batch_jobs/j1/checkpoints/000000").get());
      await assertFails(db.doc("batch_jobs/j1/passes/1-a-0").get());
      // create bookkeeping, and the rows of a create that has not committed its job
      await assertFails(db.doc("batch_owners/o1").get());
      await assertFails(db.doc("batch_requests/r1").get());
      await assertFails(db.doc("batch_creates/j3").get());
      await assertFails(db.doc("batch_jobs/j3/rows/00000").get());
      await assertFails(db.doc("webhook_outbox/e1").get());
      const mallory = env.authenticatedContext("mallory").firestore();
      await assertFails(mallory.doc("batch_jobs/j1").get());
      await assertFails(mallory.collection("batch_jobs/j1/results").get());
      await assertFails(mallory.collection("batch_jobs/j1/webhook_events").get());
      const anon = env.unauthenticatedContext().firestore();
      await assertFails(anon.doc("batch_jobs/j1").get());
      // Per-user quota counters are the server's: not even their user reads or resets them.
      await assertFails(db.doc("user_quotas/alice/counters/ai-calls").get());
      await assertFails(db.doc("user_quotas/alice/counters/ai-calls").set({ windowStart: 0, used: 0 }));
    });

    it("refuses every client write, owners included", async () => {
      const db = env.authenticatedContext("alice").firestore();
      await assertFails(db.doc("batch_jobs/j1").update({ status: "completed" }));
      await assertFails(db.doc("batch_jobs/new").set({ ownerId: "alice" }));
      await assertFails(db.doc("batch_jobs/j1/results/000001").set({ rowIndex: 1 }));
      await assertFails(db.doc("batch_jobs/j1/webhook_events/e2").set({ jobId: "j1", status: "recorded" }));
      await assertFails(db.doc("batch_jobs/j1").delete());
    });

    it("keeps the governor's state and the settings from every client, admins included", async () => {
      for (const ctx of [env.authenticatedContext("root", { admin: true }), env.authenticatedContext("alice"), env.unauthenticatedContext()]) {
        const db = ctx.firestore();
        for (const path of ["settings/governor", "governor/m1", "governor/m1/shards/0"]) {
          await assertFails(db.doc(path).get());
          await assertFails(db.doc(path).set({ x: 1 }));
        }
        await assertFails(db.collection("governor").get());
      }
    });
  });

  describe("storage.rules", () => {
    it("lets the job's owner read its media and nobody else", async () => {
      await assertSucceeds(env.authenticatedContext("alice").storage().ref("batch_jobs/j1/media/000000/img.png").getDownloadURL());
      await assertFails(env.authenticatedContext("bob").storage().ref("batch_jobs/j1/media/000000/img.png").getDownloadURL());
      await assertFails(env.unauthenticatedContext().storage().ref("batch_jobs/j1/media/000000/img.png").getDownloadURL());
    });

    it("checks every read against the job's owner, metadata included, and nothing outside batch_jobs", async () => {
      const media = "batch_jobs/j1/media/000000/img.png";
      await assertSucceeds(env.authenticatedContext("alice").storage().ref(media).getMetadata());
      await assertFails(env.authenticatedContext("bob").storage().ref(media).getMetadata());
      await assertFails(env.authenticatedContext("alice").storage().ref("other/img.png").getMetadata());
    });

    it("lets a user write, read and delete CSV uploads only under uploads/{own uid}/", async () => {
      const alice = env.authenticatedContext("alice").storage();
      const csv = new TextEncoder().encode("topic\na\n");
      await assertSucceeds(
        alice
          .ref("uploads/alice/rows.csv")
          .put(csv, { contentType: "text/csv" })
          .then(() => undefined),
      );
      await assertSucceeds(alice.ref("uploads/alice/rows.csv").getMetadata());
      await assertFails(env.authenticatedContext("bob").storage().ref("uploads/alice/rows.csv").getMetadata());
      await assertFails(
        env
          .authenticatedContext("bob")
          .storage()
          .ref("uploads/alice/evil.csv")
          .put(csv)
          .then(() => undefined),
      );
      await assertFails(
        env
          .unauthenticatedContext()
          .storage()
          .ref("uploads/alice/anon.csv")
          .put(csv)
          .then(() => undefined),
      );
      await assertFails(
        alice
          .ref("uploads/alice/nested/rows.csv")
          .put(csv)
          .then(() => undefined),
      );
      await assertSucceeds(alice.ref("uploads/alice/rows.csv").delete());
    });

    it("refuses client uploads", async () => {
      await assertFails(
        env
          .authenticatedContext("alice")
          .storage()
          .ref("batch_jobs/j1/media/x.png")
          .put(new Uint8Array([1]))
          .then(() => undefined),
      );
    });
  });
});

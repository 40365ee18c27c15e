/**
 * signMediaLinks through firebase-functions-test: the owner gets V4 signed read URLs for media of
 * their own batch, signed by the real Cloud Storage client (a generated service-account key signs
 * locally, no network), valid for the asked time; another user gets not-found, a ref outside the
 * job is refused naming its index, and nothing is signed unless every check passed.
 */
import { OfflineAiService } from "@flowcraft/core";
import { generateKeyPairSync } from "node:crypto";
import { cert, deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getStorage } from "firebase-admin/storage";
import * as fns from "../src/index";
import { StorageBlobStore } from "../src/adapters/storage-blob-store";
import type { MediaSigner } from "../src/runtime/deps";
import { Harness, auth, fft, httpsErrorOf, textFlow } from "./support/harness";

const EMAIL = "exporter@demo-flowcraft.iam.gserviceaccount.com";
let app: App;
let store: StorageBlobStore;
const signed: string[] = [];
const signer: MediaSigner = {
  signedReadUrl: (ref, expires) => {
    signed.push(ref);
    return store.signedReadUrl(ref, expires);
  },
};

beforeAll(() => {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  app = initializeApp({ credential: cert({ projectId: "demo-flowcraft", clientEmail: EMAIL, privateKey }), storageBucket: "demo-bucket" }, "export-callables");
  store = new StorageBlobStore(getStorage(app).bucket());
});
afterAll(async () => {
  await deleteApp(app);
  fft.cleanup();
});
beforeEach(() => (signed.length = 0));

const sign = fft.wrap(fns.signMediaLinks);
const req = (uid: string | null, data: Record<string, unknown>) => ({ data, ...(uid ? { auth: auth(uid) } : {}) }) as never;

async function draftJob(h: Harness, uid: string): Promise<string> {
  const { job } = await h.createBatch(req(uid, { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], start: false }));
  return job.id;
}

describe("signMediaLinks", () => {
  it("signs the owner's media for 15 minutes by default, or the asked time", async () => {
    const h = new Harness({ ai: new OfflineAiService(), mediaSigner: signer });
    const id = await draftJob(h, "alice");
    const refs = [`gs://demo-bucket/batch_jobs/${id}/media/000000/draw.png`, `gs://demo-bucket/batch_jobs/${id}/media/000001/draw.png`];
    const before = Date.now();
    const out = await sign(req("alice", { jobId: id, refs }));
    expect(out.urls).toHaveLength(2);
    out.urls.forEach((u, i) => {
      const url = new URL(u);
      expect(url.origin + url.pathname).toBe(`https://storage.googleapis.com/demo-bucket/batch_jobs/${id}/media/00000${i}/draw.png`);
      expect(url.searchParams.get("X-Goog-Algorithm")).toBe("GOOG4-RSA-SHA256");
      expect(url.searchParams.get("X-Goog-Credential")).toContain(EMAIL);
      expect(url.searchParams.get("X-Goog-Expires")).toBe("900");
      expect(url.searchParams.get("X-Goog-Signature")).toMatch(/^[0-9a-f]{512}$/);
    });
    expect(out.expiresAt).toBeGreaterThanOrEqual(before + 900_000);
    const short = (await sign(req("alice", { jobId: id, refs: refs.slice(0, 1), ttlSeconds: 60 }))) as { urls: string[] };
    expect(new URL(short.urls[0]!).searchParams.get("X-Goog-Expires")).toBe("60");
  });

  it("answers not-found to another user and refuses refs outside the job, signing nothing", async () => {
    const h = new Harness({ ai: new OfflineAiService(), mediaSigner: signer });
    const id = await draftJob(h, "alice");
    const other = await draftJob(h, "bob");
    const mine = `gs://demo-bucket/batch_jobs/${id}/media/000000/draw.png`;
    expect((await httpsErrorOf(sign(req("bob", { jobId: id, refs: [mine] })))).code).toBe("not-found");
    for (const bad of [
      `gs://demo-bucket/batch_jobs/${other}/media/000000/draw.png`,
      `gs://demo-bucket/batch_jobs/${id}/../${other}/x.png`,
      `gs://demo-bucket/settings/governor`,
      `local:batch_jobs/${id}/x.png`,
    ]) {
      const err = await httpsErrorOf(sign(req("alice", { jobId: id, refs: [mine, bad] })));
      expect(err.code).toBe("invalid-argument");
      expect((err.details as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(["refs[1]"]);
    }
    expect((await httpsErrorOf(sign(req(null, { jobId: id, refs: [mine] })))).code).toBe("unauthenticated");
    expect((await httpsErrorOf(sign(req("alice", { jobId: id, refs: [mine], ttlSeconds: 7200 })))).code).toBe("invalid-argument");
    expect(signed).toEqual([]);
  });

  it("is failed-precondition where no signer is configured", async () => {
    const h = new Harness({ ai: new OfflineAiService() });
    const id = await draftJob(h, "alice");
    const err = await httpsErrorOf(sign(req("alice", { jobId: id, refs: [`gs://demo-bucket/batch_jobs/${id}/media/000000/a.png`] })));
    expect(err.code).toBe("failed-precondition");
  });
});

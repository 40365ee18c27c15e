/**
 * Dependencies are built after the cheap checks and only as far as a call needs them:
 *   - the real exported callables over the production wiring in a project WITHOUT a default
 *     Storage bucket: an anonymous caller gets `unauthenticated` and a malformed payload
 *     `invalid-argument`, not `internal`;
 *   - a refused call builds no dependency at all;
 *   - the production wiring assembles without a bucket; media writes alone fail, with a safe
 *     `failed_precondition`.
 */
import { HttpsError } from "firebase-functions/v2/https";
import { OfflineAiService } from "@flowcraft/core";
import * as fns from "../src/index";
import { getApps, initializeApp } from "firebase-admin/app";
import { getDeps, setDepsFactory, type DepsFactory } from "../src/runtime/deps";
import { mediaStore, productionDeps } from "../src/runtime/production-deps";
import { Harness, auth, fft, textFlow } from "./support/harness";

const saved = { ...process.env };
beforeEach(() => {
  process.env.GCLOUD_PROJECT = "demo-flowcraft";
  // A project without a default bucket: FIREBASE_CONFIG has no storageBucket.
  process.env.FIREBASE_CONFIG = JSON.stringify({ projectId: "demo-flowcraft" });
});
afterEach(() => {
  process.env = { ...saved };
  setDepsFactory(null);
});
afterAll(() => fft.cleanup());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpsError);
    return (err as HttpsError).code;
  }
  throw new Error("expected the call to fail");
}

const createReq = (data: Record<string, unknown>, uid?: string) =>
  ({ data: { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], ...data }, ...(uid ? { auth: auth(uid) } : {}) }) as never;

describe("callables before dependencies", () => {
  it.each([
    ["createBatch", fns.createBatch, createReq({})],
    ["startBatch", fns.startBatch, { data: { jobId: "j1" } } as never],
    ["generateText", fns.generateText, { data: { model: "m", prompt: "p" } } as never],
    ["previewFlow", fns.previewFlow, { data: { flow: textFlow(), row: { topic: "a" } } } as never],
  ])("%s refuses an anonymous caller as unauthenticated in a project without a bucket", async (_name, fn, req) => {
    setDepsFactory(productionDeps);
    const call = fft.wrap(fn as typeof fns.createBatch) as (r: unknown) => Promise<unknown>;
    expect(await codeOf(call(req))).toBe("unauthenticated");
  });

  it("refuses a malformed payload as invalid-argument in a project without a bucket", async () => {
    setDepsFactory(productionDeps);
    expect(await codeOf(fft.wrap(fns.createBatch)(createReq({ rows: "nope" }, "alice")))).toBe("invalid-argument");
  });

  it("builds no dependency for a refused call, and builds them for an accepted one", async () => {
    new Harness({ ai: new OfflineAiService(), autoDeliver: false });
    const inner = getDeps({ withAi: true });
    const built: boolean[] = [];
    const counting: DepsFactory = (req) => (built.push(req.withAi), inner);
    setDepsFactory(counting);
    await codeOf(fft.wrap(fns.generateText)({ data: { model: "m", prompt: "p" } } as never));
    await codeOf(fft.wrap(fns.generateText)({ data: { model: "", prompt: "p" }, auth: auth("alice") } as never));
    expect(built).toEqual([]);
    await fft.wrap(fns.generateText)({ data: { model: "m", prompt: "p" }, auth: auth("alice") } as never);
    expect(built).toEqual([true]);
  });
});

describe("production wiring without a default bucket", () => {
  it("assembles, and only a media write fails, with a safe failed_precondition", async () => {
    const deps = productionDeps({ withAi: false });
    expect(typeof deps.handlers.createJob).toBe("function");
    const blobs = mediaStore(getApps()[0] ?? initializeApp());
    await expect(blobs.put("batch_jobs/j/media/x.png", new Uint8Array([1]), "image/png")).rejects.toMatchObject({
      code: "failed_precondition",
      message: expect.stringMatching(/no default bucket/),
    });
  });
});

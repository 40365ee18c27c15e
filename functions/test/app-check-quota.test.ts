/**
 * App Check and per-user quotas on the callables.
 *   - App Check: the real exported callables behind firebase-functions' own callable HTTP handler,
 *     served by express on 127.0.0.1 (tokens are decoded, not verified, through the SDK's
 *     skipTokenVerification debug feature, as the emulator does). Outside the emulator a request
 *     without an App Check token is refused before the handler runs; with one it goes through; the
 *     emulator (FUNCTIONS_EMULATOR=true) and ENFORCE_APP_CHECK=false do not enforce.
 *   - Quotas: the wrapped callables over the in-memory store: AI calls per minute (a preview
 *     counts its AI nodes) and rows per day (batch creation) answer resource-exhausted.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { OfflineAiService } from "@flowcraft/core";
import { Harness, auth, fft, httpsErrorOf, textFlow } from "./support/harness";
import type * as fns from "../src/index";
import type * as coreModule from "@flowcraft/core";
import type * as coreTestingModule from "@flowcraft/core/testing";
import type * as depsModule from "../src/runtime/deps";

afterAll(() => fft.cleanup());

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const token = (claims: Record<string, unknown>) => `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2ln`;

type Core = typeof coreModule;
type CoreTesting = typeof coreTestingModule;
type Deps = typeof depsModule;

/** Loads the exports afresh under `env` (firebase-functions reads enforceAppCheck at definition). */
function loadUnder(env: Record<string, string | undefined>): { fns: typeof fns } {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let loaded: typeof fns | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    loaded = require("../src/index") as typeof fns;
    const core = require("@flowcraft/core") as Core;
    const testing = require("@flowcraft/core/testing") as CoreTesting;
    const deps = require("../src/runtime/deps") as Deps;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const store = new testing.MemoryStore();
    const ai = new core.OfflineAiService();
    const logger = core.silentLogger;
    const handlers = core.createBatchHandlers({
      store,
      queue: { enqueue: () => Promise.resolve("enqueued" as const), delete: () => Promise.resolve() },
      blobs: new testing.MemoryBlobStore(),
      ai,
      clock: core.systemClock,
      ids: core.sequentialIds("job"),
      logger,
      limits: core.DEFAULT_LIMITS,
    });
    const quota = core.createUserQuota({ store, clock: core.systemClock, limits: core.DEFAULT_QUOTA_LIMITS });
    deps.setDepsFactory(() => ({ handlers, ai, store, logger, clock: core.systemClock, quota }));
  });
  return { fns: loaded! };
}

describe("App Check on the callables", () => {
  const saved = { ...process.env };
  let server: http.Server;
  let base = "";
  let current: { fns: typeof fns } | null = null;

  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.post("/:name", (req, res) => {
      const fn = (current?.fns as unknown as Record<string, (rq: unknown, rs: unknown) => void>)[req.params.name];
      fn!(req, res);
    });
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    process.env = { ...saved };
    await new Promise((r) => server.close(r));
  });

  async function call(
    name: string,
    data: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: { result?: unknown; error?: { status: string; message: string } } }> {
    const res = await fetch(`${base}/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token({ sub: "alice" })}`, ...headers },
      body: JSON.stringify({ data }),
    });
    return { status: res.status, body: (await res.json()) as never };
  }

  const debug = { FIREBASE_DEBUG_MODE: "true", FIREBASE_DEBUG_FEATURES: JSON.stringify({ skipTokenVerification: true }) };
  const appCheck = { "x-firebase-appcheck": token({ sub: "1:123:web:abc" }) };
  const text = { model: "gemini-2.5-flash", prompt: "hi" };

  it("refuses a call without an App Check token outside the emulator, and takes one with it", async () => {
    current = loadUnder({ ...debug, FUNCTIONS_EMULATOR: undefined, ENFORCE_APP_CHECK: undefined });
    const refused = await call("generateText", text);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.status).toBe("UNAUTHENTICATED");
    const batch = await call("createBatch", { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }] });
    expect(batch.status).toBe(401);
    const ok = await call("generateText", text, appCheck);
    expect(ok.status).toBe(200);
    expect(ok.body.result).toMatchObject({ text: expect.any(String) });
  });

  it.each([
    ["in the emulator", { FUNCTIONS_EMULATOR: "true", ENFORCE_APP_CHECK: "true" }],
    ["with ENFORCE_APP_CHECK=false", { FUNCTIONS_EMULATOR: undefined, ENFORCE_APP_CHECK: "false" }],
  ])("does not enforce App Check %s", async (_label, env) => {
    current = loadUnder({ ...debug, ...env });
    const res = await call("generateText", text);
    expect(res.status).toBe(200);
  });
});

describe("per-user quotas on the callables", () => {
  it("answers resource-exhausted past the AI calls per minute, per user; a preview counts its AI nodes", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, quota: { aiCallsPerMinute: 3 } });
    const text = (uid: string) => ({ data: { model: "m", prompt: "p" }, auth: auth(uid) }) as never;
    await h.generateText(text("alice"));
    await h.previewFlow({ data: { flow: textFlow(), row: { topic: "a" } }, auth: auth("alice") } as never);
    await h.generateImage({ data: { model: "m", prompt: "p" }, auth: auth("alice") } as never);
    const err = await httpsErrorOf(h.generateText(text("alice")));
    expect(err.code).toBe("resource-exhausted");
    expect(err.details).toMatchObject({ code: "rate_limited", retryable: true, retryAfterMs: expect.any(Number) });
    await expect(h.generateText(text("bob"))).resolves.toMatchObject({ text: expect.any(String) });
  });

  it("counts batch rows per day, refuses past it without writing a job, and gives back a refused create", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, quota: { rowsPerDay: 5 } });
    const create = (n: number, flow: unknown = textFlow()) =>
      h.createBatch({ data: { flow, columns: ["topic"], rows: Array.from({ length: n }, (_, i) => ({ topic: `t${i}` })) }, auth: auth("alice") } as never);
    await create(3);
    // Refused by the core (invalid flow): its rows are given back.
    expect((await httpsErrorOf(create(2, { nodes: [], edges: [] }))).code).toBe("invalid-argument");
    const err = await httpsErrorOf(create(3));
    expect(err.code).toBe("resource-exhausted");
    expect(await h.store.count("batch_jobs")).toBe(1);
    await create(2);
    expect(await h.store.count("batch_jobs")).toBe(2);
    expect((await httpsErrorOf(create(6))).details).toMatchObject({ code: "limit_exceeded", retryable: false });
  });

  it("counts a retried create (same requestId) once: the retry returns the job without taking its rows again", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false, quota: { rowsPerDay: 5 } });
    const create = (n: number, requestId: string) =>
      h.createBatch({
        data: { flow: textFlow(), columns: ["topic"], rows: Array.from({ length: n }, (_, i) => ({ topic: `t${i}` })), requestId },
        auth: auth("alice"),
      } as never);
    const first = await create(3, "submit-1");
    const again = await create(3, "submit-1");
    expect(again.job.id).toBe(first.job.id);
    // 3 of 5 rows used: a new 2-row batch still fits.
    await expect(create(2, "submit-2")).resolves.toMatchObject({ job: { totalRows: 2 } });
    expect(await h.store.count("batch_jobs")).toBe(2);
  });
});

/**
 * FirebaseTaskQueue:
 *   - through the REAL firebase-admin client against a loopback stand-in for the Cloud Tasks
 *     emulator endpoint (CLOUD_TASKS_EMULATOR_HOST): regional queue path, deterministic task name,
 *     payload, dispatch deadline, delay, no target URL under the emulator, 409 → "exists";
 *   - with a fake Functions client: `uri` only outside the emulator, other errors propagate;
 *   - the function URL lookup is cached, bounded by a timeout, and after a failure not retried
 *     before a short negative-cache window has passed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFunctions, type Functions, type TaskOptions } from "firebase-admin/functions";
import type { Credential } from "firebase-admin/app";
import { silentLogger } from "@flowcraft/core";
import { FirebaseTaskQueue, isEmulated } from "../src/adapters/firebase-task-queue";
import { cachedFunctionUri } from "../src/adapters/function-uri";

interface SeenRequest {
  method: string;
  url: string;
  body: { task?: { name?: string; dispatchDeadline?: string; scheduleTime?: string; httpRequest: { url: string; body: string } } };
}

describe("FirebaseTaskQueue over firebase-admin (emulator endpoint)", () => {
  let server: http.Server;
  let app: App;
  const seen: SeenRequest[] = [];
  const names = new Set<string>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        const body = (raw ? JSON.parse(raw) : {}) as SeenRequest["body"];
        seen.push({ method: req.method ?? "", url: req.url ?? "", body });
        const name = body.task?.name ?? "";
        if (req.method === "POST" && names.has(name)) {
          res.writeHead(409, { "content-type": "application/json" }).end(JSON.stringify({ error: { status: "ALREADY_EXISTS", message: "exists" } }));
          return;
        }
        names.add(name);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body.task ?? {}));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    process.env.CLOUD_TASKS_EMULATOR_HOST = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A service account id keeps the SDK from asking the metadata server for one.
    app = initializeApp({ projectId: "demo-flowcraft", serviceAccountId: "tasks@demo-flowcraft.iam.gserviceaccount.com" }, "task-queue-test");
  });
  afterAll(async () => {
    delete process.env.CLOUD_TASKS_EMULATOR_HOST;
    await deleteApp(app);
    await new Promise((r) => server.close(r));
  });

  it("enqueues on the regional queue with the deterministic id, once", async () => {
    const queue = new FirebaseTaskQueue<{ jobId: string; rowIndex: number }>({
      functions: getFunctions(app),
      region: "europe-west1",
      functionName: "runBatchRow",
      dispatchDeadlineSeconds: 1800,
      resolveUri: () => Promise.reject(new Error("must not be asked under the emulator")),
    });
    expect(await queue.enqueue({ id: "row-j1-p0-r3-l0-g0", payload: { jobId: "j1", rowIndex: 3 }, delayMs: 1500 })).toBe("enqueued");
    expect(await queue.enqueue({ id: "row-j1-p0-r3-l0-g0", payload: { jobId: "j1", rowIndex: 3 } })).toBe("exists");

    const first = seen[0]!;
    expect(first.url).toBe("/projects/demo-flowcraft/locations/europe-west1/queues/runBatchRow/tasks");
    const task = first.body.task!;
    expect(task.name).toBe("projects/demo-flowcraft/locations/europe-west1/queues/runBatchRow/tasks/row-j1-p0-r3-l0-g0");
    expect(task.dispatchDeadline).toBe("1800s");
    expect(task.scheduleTime).toEqual(expect.any(String));
    expect(task.httpRequest.url).toBe("");
    expect(JSON.parse(Buffer.from(task.httpRequest.body, "base64").toString())).toEqual({ data: { jobId: "j1", rowIndex: 3 } });
  });
});

/** A Functions client that records enqueues and can fail them. */
function fakeFunctions(fail?: Error): { functions: Functions; calls: { name: string; opts?: TaskOptions }[] } {
  const calls: { name: string; opts?: TaskOptions }[] = [];
  const functions = {
    taskQueue: (name: string) => ({
      enqueue: async (_data: unknown, opts?: TaskOptions) => {
        calls.push({ name, opts });
        if (fail) throw fail;
      },
      delete: async () => {},
    }),
  } as unknown as Functions;
  return { functions, calls };
}

describe("FirebaseTaskQueue options", () => {
  const base = { region: "us-central1", functionName: "runBatchRow", dispatchDeadlineSeconds: 900 };

  it("passes the resolved uri outside the emulator and none inside it", async () => {
    const prod = fakeFunctions();
    const q1 = new FirebaseTaskQueue({ ...base, functions: prod.functions, emulated: false, resolveUri: async () => "https://run-x.a.run.app" });
    await q1.enqueue({ id: "a", payload: {} });
    expect(prod.calls[0]).toEqual({
      name: "locations/us-central1/functions/runBatchRow",
      opts: { id: "a", dispatchDeadlineSeconds: 900, uri: "https://run-x.a.run.app" },
    });

    const emu = fakeFunctions();
    const q2 = new FirebaseTaskQueue({ ...base, functions: emu.functions, emulated: true, resolveUri: async () => "https://run-x.a.run.app" });
    await q2.enqueue({ id: "a", payload: {} });
    expect(emu.calls[0]!.opts).toEqual({ id: "a", dispatchDeadlineSeconds: 900 });
  });

  it("maps task-already-exists to exists and rethrows anything else", async () => {
    const dup = fakeFunctions(Object.assign(new Error("dup"), { code: "functions/task-already-exists" }));
    await expect(new FirebaseTaskQueue({ ...base, functions: dup.functions, emulated: true }).enqueue({ id: "a", payload: {} })).resolves.toBe("exists");
    const denied = fakeFunctions(Object.assign(new Error("denied"), { code: "functions/permission-denied" }));
    await expect(new FirebaseTaskQueue({ ...base, functions: denied.functions, emulated: true }).enqueue({ id: "a", payload: {} })).rejects.toThrow("denied");
  });

  it("detects the emulator from FUNCTIONS_EMULATOR or CLOUD_TASKS_EMULATOR_HOST", () => {
    expect(isEmulated({ FUNCTIONS_EMULATOR: "true" })).toBe(true);
    expect(isEmulated({ CLOUD_TASKS_EMULATOR_HOST: "127.0.0.1:9499" })).toBe(true);
    expect(isEmulated({})).toBe(false);
  });
});

describe("cachedFunctionUri", () => {
  const credential: Credential = { getAccessToken: async () => ({ access_token: "tok", expires_in: 3600 }) };

  it("looks the URL up once and reuses it", async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify({ serviceConfig: { uri: "https://runbatchrow-abc-uc.a.run.app" } }), { status: 200 });
    }) as unknown as typeof fetch;
    const resolve = cachedFunctionUri({ credential, projectId: "p", region: "us-central1", functionName: "runBatchRow", logger: silentLogger, fetchImpl });
    expect(await resolve()).toBe("https://runbatchrow-abc-uc.a.run.app");
    expect(await resolve()).toBe("https://runbatchrow-abc-uc.a.run.app");
    expect(urls).toEqual(["https://cloudfunctions.googleapis.com/v2/projects/p/locations/us-central1/functions/runBatchRow"]);
  });

  it("falls back to undefined on failure, then asks again only after the negative-cache window", async () => {
    let calls = 0;
    let clock = 1_000;
    const fetchImpl = (async () => {
      calls++;
      return new Response(JSON.stringify({ serviceConfig: { uri: "https://u.a.run.app" } }), { status: calls === 1 ? 403 : 200 });
    }) as unknown as typeof fetch;
    const resolve = cachedFunctionUri({
      credential,
      projectId: "p",
      region: "r",
      functionName: "f",
      logger: silentLogger,
      fetchImpl,
      retryAfterFailureMs: 60_000,
      now: () => clock,
    });
    expect(await resolve()).toBeUndefined();
    clock += 30_000;
    expect(await resolve()).toBeUndefined();
    expect(calls).toBe(1);
    clock += 31_000;
    expect(await resolve()).toBe("https://u.a.run.app");
    expect(calls).toBe(2);
  });

  it("gives up on a lookup that never answers, and on a token that never comes", async () => {
    const hung = (() => new Promise<never>(() => {})) as unknown as typeof fetch;
    const resolve = cachedFunctionUri({ credential, projectId: "p", region: "r", functionName: "f", logger: silentLogger, fetchImpl: hung, timeoutMs: 20 });
    await expect(resolve()).resolves.toBeUndefined();
    const noToken: Credential = { getAccessToken: () => new Promise(() => {}) };
    const resolve2 = cachedFunctionUri({ credential: noToken, projectId: "p", region: "r", functionName: "f", logger: silentLogger, timeoutMs: 20 });
    await expect(resolve2()).resolves.toBeUndefined();
  });
});

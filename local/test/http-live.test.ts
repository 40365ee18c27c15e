/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- JSON replies are checked by the assertions */
/**
 * Live and auxiliary routes over a real server: SSE (current job first, results as written with
 * increasing ids, heartbeat comments, `end` after the terminal job, Last-Event-ID replay of only
 * the missed results), media bytes, preview and single generations over the same AI service,
 * config and examples, and the web app's static files with index.html fallback.
 */
import { isTerminal } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor } from "@flowcraft/core/testing";
import { IMAGE_FLOW, TEXT_FLOW, csvOf } from "./support/flows";
import { openSse, request, requestBytes, type Reply } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

let srv: TestServer;
let webDir: string;
beforeAll(async () => {
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-web-"));
  fs.mkdirSync(path.join(webDir, "assets"));
  fs.writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>app</title>");
  fs.writeFileSync(path.join(webDir, "assets/app.js"), "console.log(1)");
  srv = await startTestServer({ webDir });
});
afterAll(async () => {
  await srv.close();
  fs.rmSync(webDir, { recursive: true, force: true });
});

const api = (method: string, path: string, body?: unknown): Promise<Reply> => request(srv.port, method, path, body);

async function finished(id: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (isTerminal((await api("GET", `/api/batches/${id}`)).json.job.status)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("batch did not finish");
}

describe("server-sent events", () => {
  it("streams the job, each result once with increasing ids, heartbeats, and ends after the terminal job", async () => {
    const topics = Array.from({ length: 5 }, (_, i) => `[[slow:60]] item ${i}`);
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 2 });
    const id: string = created.json.job.id;
    const sse = await openSse(srv.port, `/api/batches/${id}/events`);
    expect(sse.status).toBe(200);
    await waitFor(() => sse.events.length >= 1, "the first event");
    expect(sse.events[0]!.event).toBe("job");
    expect(JSON.parse(sse.events[0]!.data).status).toBe("pending");
    await api("POST", `/api/batches/${id}/run`);
    await sse.ended;

    const results = sse.events.filter((e) => e.event === "result");
    expect(results.map((e) => JSON.parse(e.data).rowIndex).sort()).toEqual([0, 1, 2, 3, 4]);
    const ids = sse.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const last = sse.events[sse.events.length - 1]!;
    const beforeLast = sse.events[sse.events.length - 2]!;
    expect(last.event).toBe("end");
    expect(beforeLast.event).toBe("job");
    expect(JSON.parse(beforeLast.data)).toMatchObject({ status: "completed", completedRows: 5 });
    expect(sse.comments).toContain("ping");
  });

  it("replays only the results after Last-Event-ID, then the job and end", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a", "b", "c", "d"]), concurrency: 1, start: true });
    const id: string = created.json.job.id;
    await finished(id);
    // Connected after the end: only the job and `end`, unless Last-Event-ID asks for a replay.
    const late = await openSse(srv.port, `/api/batches/${id}/events`);
    await late.ended;
    expect(late.events.map((e) => e.event)).toEqual(["job", "end"]);
    const first = await openSse(srv.port, `/api/batches/${id}/events`, { "last-event-id": "0" });
    await first.ended;
    const results = first.events.filter((e) => e.event === "result");
    expect(results).toHaveLength(4);
    const second = results[1]!;

    const resumed = await openSse(srv.port, `/api/batches/${id}/events`, { "last-event-id": second.id! });
    await resumed.ended;
    const replayed = resumed.events.filter((e) => e.event === "result").map((e) => JSON.parse(e.data).rowIndex);
    const expected = results.slice(2).map((e) => JSON.parse(e.data).rowIndex);
    expect(replayed).toEqual(expected);
    expect(resumed.events.slice(-2).map((e) => e.event)).toEqual(["job", "end"]);
  });
});

describe("media, preview and single generations", () => {
  it("serves a result's media reference with its content type", async () => {
    const created = await api("POST", "/api/batches", { flow: IMAGE_FLOW, csv: csvOf(["a cat"]), start: true });
    const id: string = created.json.job.id;
    await finished(id);
    const result = (await api("GET", `/api/batches/${id}/results`)).json.results[0];
    expect(result.outputs.picture.kind).toBe("mediaRef");
    const media = await requestBytes(srv.port, `/api/media/${encodeURIComponent(result.outputs.picture.ref as string)}`);
    expect(media.status).toBe(200);
    expect(media.type).toBe(result.outputs.picture.mimeType);
    expect(media.bytes.length).toBe(result.outputs.picture.bytes);
  });

  it("previews a flow on one row with media inlined as a data URL", async () => {
    const text = await api("POST", "/api/preview", { flow: TEXT_FLOW, row: { topic: "tea" } });
    expect(text.status).toBe(200);
    expect(text.json.run.status).toBe("succeeded");
    expect(text.json.run.outputs.line.kind).toBe("text");
    const image = await api("POST", "/api/preview", { flow: IMAGE_FLOW, row: { topic: "tea" } });
    expect(image.json.run.outputs.picture).toMatchObject({ kind: "media", mimeType: "image/png" });
    expect(image.json.run.outputs.picture.dataUrl).toMatch(/^data:image\/png;base64,/);
    const bad = await api("POST", "/api/preview", { flow: TEXT_FLOW, row: { other: "x" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_flow");
  });

  it("generates text, images and videos, and rejects a body without a prompt", async () => {
    const text = await api("POST", "/api/generate-text", { model: "gemini-2.5-flash", prompt: "Say hi" });
    expect(text.status).toBe(200);
    expect(typeof text.json.text).toBe("string");
    expect(text.json.usage.totalTokens).toBeGreaterThan(0);
    const image = await api("POST", "/api/generate-image", { model: "gemini-2.5-flash-image", prompt: "a dot" });
    expect(image.json.dataUrl).toMatch(/^data:image\//);
    const video = await api("POST", "/api/generate-video", { model: "veo-3.0-fast-generate-001", prompt: "a wave" });
    expect(video.json.dataUrl).toMatch(/^data:video\//);
    const bad = await api("POST", "/api/generate-text", { model: "gemini-2.5-flash" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { path: string }) => d.path)).toContain("prompt");
    const failing = await api("POST", "/api/generate-text", { model: "gemini-2.5-flash", prompt: "[[fail]]" });
    expect(failing.status).toBe(400);
    expect(failing.json.error).toMatchObject({ code: "bad_request", retryable: false });
  });
});

describe("config, examples and the web app", () => {
  it("reports the provider and limits, and lists the repo's examples", async () => {
    const config = await api("GET", "/api/config");
    expect(config.json.provider).toBe("offline");
    expect(config.json.limits.maxRows).toBeGreaterThan(0);
    const examples = await api("GET", "/api/examples");
    expect(examples.json.examples.length).toBeGreaterThan(0);
    for (const e of examples.json.examples) {
      expect(e).toEqual(expect.objectContaining({ id: expect.any(String), name: expect.any(String), csv: expect.any(String) }));
      expect(Array.isArray(e.flow.nodes)).toBe(true);
    }
  });

  it("serves built files, falls back to index.html for app routes, and refuses traversal", async () => {
    const index = await api("GET", "/");
    expect(index.text).toContain("<title>app</title>");
    const asset = await api("GET", "/assets/app.js");
    expect(asset.headers["content-type"]).toContain("javascript");
    expect(asset.text).toBe("console.log(1)");
    expect((await api("GET", "/batches/123")).text).toContain("<title>app</title>");
    expect((await api("GET", "/..%2f..%2fetc%2fpasswd")).text).toContain("<title>app</title>");
  });

  it("answers 429 when the owner already has the maximum of active batches", async () => {
    const limited = await startTestServer({ limits: { maxActiveJobsPerOwner: 1 } });
    const body = { flow: TEXT_FLOW, csv: csvOf(["a"]) };
    expect((await request(limited.port, "POST", "/api/batches", body)).status).toBe(201);
    const second = await request(limited.port, "POST", "/api/batches", body);
    expect(second.status).toBe(429);
    expect(second.json.error.code).toBe("limit_exceeded");
    expect((await request(limited.port, "GET", "/api/batches")).json.jobs).toHaveLength(1);
    await limited.close();
  });

  it.each<[string, Record<string, string>, number]>([
    ["a foreign Origin (cross-site request)", { origin: "https://evil.example" }, 403],
    ["an opaque Origin", { origin: "null" }, 403],
    ["a foreign Host (DNS rebinding)", { host: "evil.example:8787" }, 403],
    ["another local page (another port)", { origin: "http://localhost:3000" }, 403],
    ["the dev server's origin through its proxy (Host kept)", { origin: "http://localhost:5173", host: "localhost:5173" }, 200],
  ])("guards against other websites: %s → %i", async (_label, headers, status) => {
    const res = await request(srv.port, "POST", "/api/generate-text", { model: "gemini-2.5-flash", prompt: "hi" }, headers);
    expect(res.status).toBe(status);
    if (status === 403) expect(res.json.error.code).toBe("permission_denied");
  });

  it("says how to build the web app when there is no build", async () => {
    const bare = await startTestServer();
    const page = await request(bare.port, "GET", "/");
    expect(page.status).toBe(200);
    expect(page.text).toContain("npm run build -w web");
    await bare.close();
  });
});

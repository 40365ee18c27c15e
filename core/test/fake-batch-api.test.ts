/**
 * The fake Batch API answers the real @google/genai SDK's `ai.batches.create/get/cancel/list` the
 * way the Gemini API does: what the SDK sends, and that the SDK reads back state, display name and
 * inlined responses in input order with their metadata. Its Files API answers `ai.files.upload /
 * get / delete / download`, and a job made from an uploaded JSONL file answers in an output file.
 */
import "./support/jest-undici-shim";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiError, type BatchJob, GoogleGenAI, JobState } from "@google/genai";
import { createHash } from "node:crypto";
import { useFakeGeminiServer } from "./support/use-fake-gemini-server";
import { FakeBatchApi, type WireBatchRequest } from "./support/fake-batch-api";

const KEY = "AIzaSyFAKE-batch-test-key-00000000000";
const MODEL = "gemini-2.5-flash";

const fake = useFakeGeminiServer();

function sdk(): GoogleGenAI {
  return new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: fake().baseUrl } });
}

/** Inlined responses are plain objects (no `text` getter): read the first candidate's parts. */
function textOf(response: { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> } | undefined): string | undefined {
  return response?.candidates?.[0]?.content?.parts?.map((p) => p.text ?? "").join("");
}

function inlined(prompts: string[]) {
  return prompts.map((text, i) => ({
    contents: [{ role: "user", parts: [{ text }] }],
    config: { systemInstruction: "Be terse.", temperature: 0.2 },
    metadata: { key: `k${i}` },
  }));
}

describe("fake Batch API with the real SDK", () => {
  it("creates an inlined job: the wire body carries display name, requests and metadata", async () => {
    const api = new FakeBatchApi().install(fake());
    const job = await sdk().batches.create({ model: MODEL, src: inlined(["a", "b"]), config: { displayName: "fc-job1-p0-L0" } });
    expect(job.name).toBe("batches/fake-1");
    expect(job.displayName).toBe("fc-job1-p0-L0");
    expect(job.state).toBe(JobState.JOB_STATE_PENDING);
    const [req] = fake().requests;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe(`/v1beta/models/${MODEL}:batchGenerateContent`);
    expect(req!.headers["x-goog-api-key"]).toBe(KEY);
    const stored: WireBatchRequest[] = api.job("batches/fake-1").requests;
    expect(stored.map((r) => r.metadata)).toEqual([{ key: "k0" }, { key: "k1" }]);
    expect(stored[0]!.request.contents).toEqual([{ role: "user", parts: [{ text: "a" }] }]);
  });

  it("moves pending → running → succeeded on polls and returns responses in input order", async () => {
    new FakeBatchApi({ pollsToFinish: 2 }).install(fake());
    const ai = sdk();
    const created = await ai.batches.create({ model: MODEL, src: inlined(["one", "two", "three"]) });
    const first = await ai.batches.get({ name: created.name! });
    expect(first.state).toBe(JobState.JOB_STATE_RUNNING);
    expect(first.dest?.inlinedResponses).toBeUndefined();
    const done = await ai.batches.get({ name: created.name! });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    const responses = done.dest?.inlinedResponses ?? [];
    expect(responses.map((r) => textOf(r.response))).toEqual(["echo: one", "echo: two", "echo: three"]);
    expect(responses.map((r) => r.metadata)).toEqual([{ key: "k0" }, { key: "k1" }, { key: "k2" }]);
  });

  it("answers per-item errors as google.rpc.Status next to successful items", async () => {
    new FakeBatchApi({
      pollsToFinish: 1,
      answer: (_r, i) => (i === 1 ? { error: { code: 3, message: "bad item" } } : { response: { candidates: [{ content: { parts: [{ text: "ok" }] } }] } }),
    }).install(fake());
    const ai = sdk();
    const created = await ai.batches.create({ model: MODEL, src: inlined(["x", "y"]) });
    const done = await ai.batches.get({ name: created.name! });
    const responses = done.dest?.inlinedResponses ?? [];
    expect(textOf(responses[0]!.response)).toBe("ok");
    expect(responses[1]!.error).toEqual({ code: 3, message: "bad item" });
  });

  it("cancels a running job, and expire / fail settle a job as the test says", async () => {
    const api = new FakeBatchApi({ pollsToFinish: 99 }).install(fake());
    const ai = sdk();
    const a = await ai.batches.create({ model: MODEL, src: inlined(["x"]) });
    const b = await ai.batches.create({ model: MODEL, src: inlined(["y"]) });
    await ai.batches.cancel({ name: a.name! });
    expect(fake().requestsTo(":cancel")[0]!.path).toBe("/v1beta/batches/fake-1:cancel");
    expect((await ai.batches.get({ name: a.name! })).state).toBe(JobState.JOB_STATE_CANCELLED);
    api.expire(b.name!);
    expect((await ai.batches.get({ name: b.name! })).state).toBe(JobState.JOB_STATE_EXPIRED);
  });

  it("lists every job across pages, newest first, with display names", async () => {
    new FakeBatchApi({ defaultPageSize: 2 }).install(fake());
    const ai = sdk();
    for (const n of ["j1", "j2", "j3"]) await ai.batches.create({ model: MODEL, src: inlined([n]), config: { displayName: n } });
    const seen: BatchJob[] = [];
    const pager = await ai.batches.list({ config: { pageSize: 2 } });
    for await (const job of pager) seen.push(job);
    expect(seen.map((j) => j.displayName)).toEqual(["j3", "j2", "j1"]);
    expect(
      fake()
        .requestsTo(/^\/v1beta\/batches$/)
        .map((r) => r.query.pageToken ?? ""),
    ).toEqual(["", "2"]);
  });
});

describe("fake Files API with the real SDK", () => {
  const jsonl = (prompts: string[]) =>
    prompts.map((text, i) => JSON.stringify({ key: `k${i}`, request: { contents: [{ role: "user", parts: [{ text }] }] } })).join("\n");

  it("uploads resumably under a chosen name, refuses the name again (409), gets, downloads and deletes", async () => {
    const api = new FakeBatchApi().install(fake());
    const ai = sdk();
    const content = jsonl(["ä one", "two"]);
    const blob = new Blob([content], { type: "application/jsonl" });
    const file = await ai.files.upload({ file: blob, config: { name: "fc-abc", displayName: "requests" } });
    expect(file).toMatchObject({ name: "files/fc-abc", state: "ACTIVE", sizeBytes: String(Buffer.byteLength(content)), mimeType: "application/jsonl" });
    const [start, bytes] = fake().requestsTo("/upload/v1beta/files");
    expect(start!.headers).toMatchObject({ "x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start" });
    expect(bytes!.headers["x-goog-upload-command"]).toBe("upload, finalize");
    expect(api.fileLines("files/fc-abc")).toEqual(content.split("\n"));
    const again = await ai.files.upload({ file: blob, config: { name: "fc-abc" } }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect((again as ApiError).status).toBe(409);
    expect((await ai.files.get({ name: "files/fc-abc" })).sha256Hash).toBe(createHash("sha256").update(content).digest("base64"));
    const dir = await mkdtemp(path.join(tmpdir(), "fake-files-"));
    try {
      await ai.files.download({ file: "files/fc-abc", downloadPath: path.join(dir, "out.jsonl") });
      expect(await readFile(path.join(dir, "out.jsonl"), "utf8")).toBe(content);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await ai.files.delete({ name: "files/fc-abc" });
    expect(api.deletedFiles).toEqual(["files/fc-abc"]);
    await expect(ai.files.get({ name: "files/fc-abc" })).rejects.toMatchObject({ status: 404 });
  });

  it("creates a job from an input file; on success dest.fileName names the output file of keyed answers", async () => {
    const api = new FakeBatchApi({ pollsToFinish: 1 }).install(fake());
    const ai = sdk();
    const file = await ai.files.upload({ file: new Blob([jsonl(["one", "two"])]), config: { mimeType: "application/jsonl" } });
    const created = await ai.batches.create({ model: MODEL, src: file.name!, config: { displayName: "from-file" } });
    expect((fake().requestsTo(":batchGenerateContent")[0]!.body as { batch: unknown }).batch).toEqual({
      displayName: "from-file",
      inputConfig: { fileName: file.name },
    });
    expect(api.job(created.name!).requests.map((r) => r.key)).toEqual(["k0", "k1"]);
    const done = await ai.batches.get({ name: created.name! });
    expect(done.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(done.dest?.inlinedResponses).toBeUndefined();
    const lines = api.fileLines(done.dest!.fileName!).map((l) => JSON.parse(l) as { key: string; response: Parameters<typeof textOf>[0] });
    expect(lines.map((l) => [l.key, textOf(l.response)])).toEqual([
      ["k0", "echo: one"],
      ["k1", "echo: two"],
    ]);
  });

  it("refuses an inline create over inlineLimitBytes, and a job from a missing file", async () => {
    new FakeBatchApi({ inlineLimitBytes: 100 }).install(fake());
    const ai = sdk();
    await expect(ai.batches.create({ model: MODEL, src: inlined(["x".repeat(200)]) })).rejects.toMatchObject({ status: 400 });
    await expect(ai.batches.create({ model: MODEL, src: "files/missing" })).rejects.toMatchObject({ status: 400 });
  });
});

/**
 * The Gemini batch adapter's file route (gemini-batch-files.ts) through the real @google/genai SDK
 * against the fake Files and Batch API: beyond the inline limit the requests go up as one JSONL
 * file (the fake refuses such an inline create, as Gemini does), the same requests as inline;
 * answers come back from the output file by key in any order, per-item errors and damaged lines
 * fail only their item; a repeated create after a crash reuses its own upload; the file can be
 * deleted, and a create the provider refused deletes it.
 */
import "./support/jest-undici-shim";
import { GoogleGenAI } from "@google/genai";
import { PermanentError, RetryableError } from "../src/errors";
import { type BatchItem, inlineRequestBytes } from "../src/ai/batch-port";
import { inputFileName, keyOfBrokenLine } from "../src/ai/gemini-batch-files";
import { GeminiBatchJobs } from "../src/ai/gemini-batches";
import { useFakeGeminiServer } from "./support/use-fake-gemini-server";
import { FakeBatchApi, type FakeBatchApiOptions, type ItemAnswer, type WireBatchRequest, echoAnswer, promptOf } from "./support/fake-batch-api";

const KEY = "AIzaSyFAKE-batchfiles-key-00000000000";
const MODEL = "gemini-2.5-flash";
/** Small enough that a few items need the file route. */
const INLINE_LIMIT = 600;
const fake = useFakeGeminiServer();

function answer(r: WireBatchRequest): ItemAnswer {
  const prompt = promptOf(r);
  if (prompt.includes("[[fail]]")) return { error: { code: 3, message: "Request contains an invalid argument." } };
  if (prompt.includes("[[busy]]")) return { error: { code: 8, message: "Resource has been exhausted." } };
  return echoAnswer(r);
}

function setup(o: Omit<FakeBatchApiOptions, "answer" | "inlineLimitBytes"> & { fileLimitBytes?: number } = {}) {
  const { fileLimitBytes, ...apiOpts } = o;
  const api = new FakeBatchApi({ pollsToFinish: 1, answer, inlineLimitBytes: INLINE_LIMIT + 400, ...apiOpts }).install(fake());
  const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: fake().baseUrl } });
  const jobs = new GeminiBatchJobs({
    ai,
    apiKey: KEY,
    baseUrl: fake().baseUrl,
    inlineLimitBytes: INLINE_LIMIT,
    ...(fileLimitBytes !== undefined ? { fileLimitBytes } : {}),
  });
  return { api, jobs };
}

function items(prompts: string[], extra: Partial<BatchItem["request"]> = {}): BatchItem[] {
  return prompts.map((prompt, i) => ({ key: `${i}/summary`, request: { model: MODEL, prompt, ...extra } }));
}

/** Ten rows of about 100 bytes each: over the 600-byte inline limit. */
const big = (mark = (_i: number) => "") => items(Array.from({ length: 10 }, (_, i) => `row ${i} ${"y".repeat(80)}${mark(i)}`));

async function settled(jobs: GeminiBatchJobs, name: string): Promise<void> {
  for (let i = 0; i < 5; i++) if ((await jobs.get(name)).state === "succeeded") return;
  throw new Error(`job ${name} did not succeed`);
}

describe("Gemini batch jobs: the JSONL file route", () => {
  it("goes inline under the limit and through an uploaded file over it, with the same requests", async () => {
    const { api, jobs } = setup();
    const batch = items(["first", "second"], { system: "Be terse.", temperature: 0.1, jsonSchema: { type: "object" } });
    const padded = [...batch, ...big()];
    expect(inlineRequestBytes(batch)).toBeLessThan(INLINE_LIMIT);
    expect(inlineRequestBytes(padded)).toBeGreaterThan(INLINE_LIMIT);
    const inline = await jobs.create({ model: MODEL, displayName: "fc-inline", items: batch });
    expect(fake().requestsTo("/upload/")).toHaveLength(0);
    expect(jobs.inputFileFor("fc-inline", batch)).toBeUndefined();

    const filed = await jobs.create({ model: MODEL, displayName: "fc-file", items: padded });
    const file = inputFileName("fc-file");
    expect(jobs.inputFileFor("fc-file", padded)).toBe(file);
    expect(file).toMatch(/^files\/[a-z0-9-]{1,40}$/);
    expect(api.job(filed.name).inputFile).toBe(file);
    const [start] = fake().requestsTo("/upload/v1beta/files");
    expect(start!.headers).toMatchObject({ "x-goog-upload-protocol": "resumable", "x-goog-upload-command": "start" });
    expect(start!.body).toMatchObject({ file: { name: file, displayName: "fc-file", mimeType: "application/jsonl" } });
    const lines = api.fileLines(file).map((l) => JSON.parse(l) as { key: string; request: unknown });
    expect(lines.map((l) => l.key)).toEqual(padded.map((i) => i.key));
    // Exactly what the SDK puts into an inlined request for the same items.
    expect(lines.slice(0, 2).map((l) => l.request)).toEqual(api.job(inline.name).requests.map((r) => r.request));
  });

  it("maps answers from the output file by key, in any output order, with per-item errors", async () => {
    const { jobs } = setup({ outputLines: (lines) => [...lines].reverse() });
    const batch = big((i) => (i === 3 ? " [[fail]]" : i === 5 ? " [[busy]]" : ""));
    const job = await jobs.create({ model: MODEL, displayName: "fc-order", items: batch });
    await settled(jobs, job.name);
    const outcomes = await jobs.results(job.name, batch);
    expect(outcomes.map((o) => o.key)).toEqual(batch.map((i) => i.key));
    outcomes.forEach((o, i) => {
      if (i === 3) expect(o.ok || o.error).toMatchObject({ code: "bad_request", retryable: false });
      else if (i === 5) expect(o.ok || o.error).toMatchObject({ code: "rate_limited", retryable: true });
      else expect(o).toMatchObject({ ok: true, result: { text: `echo: ${batch[i]!.request.prompt}` } });
    });
    const fail = outcomes[3]!;
    expect(!fail.ok && fail.error).toBeInstanceOf(PermanentError);
  });

  it("a damaged output line fails only its item (found by its key, or by its position), with a clear error", async () => {
    const damage = (lines: string[]) =>
      lines.map((l, i) => {
        if (i === 2) return l.slice(0, 40); // cut mid-answer: the key survives at the start
        if (i === 6) return "<<not json>>"; // nothing readable: the item at this position
        if (i === 7) return '{"key":"7/summary","response":"not an object"}';
        return l;
      });
    const { jobs } = setup({ outputLines: damage });
    const batch = big();
    const job = await jobs.create({ model: MODEL, displayName: "fc-damaged", items: batch });
    await settled(jobs, job.name);
    const outcomes = await jobs.results(job.name, batch);
    const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [[i, o.error.message]]));
    expect(failed).toEqual([
      [2, "Line 3 of the Gemini batch output file is not a valid answer"],
      [6, "Line 7 of the Gemini batch output file is not a valid answer"],
      [7, "Line 8 of the Gemini batch output file is not a valid answer"],
    ]);
    // Retryable: the row task makes that call again realtime.
    expect(outcomes.filter((o) => !o.ok).every((o) => !o.ok && o.error instanceof RetryableError)).toBe(true);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(7);
  });

  it("an item with no line in the output file fails as unanswered; the download sends the key", async () => {
    const { jobs } = setup({ outputLines: (lines) => lines.slice(1) });
    const batch = big();
    const job = await jobs.create({ model: MODEL, displayName: "fc-short", items: batch });
    await settled(jobs, job.name);
    const outcomes = await jobs.results(job.name, batch);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { code: "model_error" } });
    expect(outcomes.slice(1).every((o) => o.ok)).toBe(true);
    const [download] = fake().requestsTo(":download");
    expect(download!.path).toMatch(/^\/download\/v1beta\/files\/[^/]+:download$/);
    expect(download!.query.alt).toBe("media");
    expect(download!.headers["x-goog-api-key"]).toBe(KEY);
  });

  it("a create repeated after a crash between upload and create reuses the upload; a stale file is replaced", async () => {
    const { api, jobs } = setup();
    const batch = big();
    // The crash: the file is up, no job was made (scripts match in order: this one before the API's).
    fake().reset();
    fake().script(/:batchGenerateContent$/, { destroy: true }, { status: 500, json: { error: { code: 500, message: "x", status: "INTERNAL" } } });
    api.install(fake());
    await expect(jobs.create({ model: MODEL, displayName: "fc-crash", items: batch })).rejects.toBeInstanceOf(RetryableError);
    const file = inputFileName("fc-crash");
    expect(api.files.has(file)).toBe(true);
    fake().reset();
    api.install(fake());
    const job = await jobs.create({ model: MODEL, displayName: "fc-crash", items: batch });
    expect(api.job(job.name).inputFile).toBe(file);
    expect(
      fake()
        .requestsTo("/upload/v1beta/files")
        .map((r) => r.query.upload_id ?? "start"),
    ).toEqual(["start"]); // 409, then reused
    expect(
      fake()
        .requestsTo(`/v1beta/${file}`)
        .map((r) => r.method),
    ).toEqual(["GET"]);
    expect(api.deletedFiles).toEqual([]);

    // Same display name, other content: the old file goes, the new one is uploaded.
    const other = big((i) => ` v2 ${i}`);
    fake().requests.length = 0;
    await jobs.create({ model: MODEL, displayName: "fc-crash", items: other });
    expect(api.deletedFiles).toEqual([file]);
    expect(api.fileLines(file).map((l) => (JSON.parse(l) as { request: WireBatchRequest["request"] }).request.contents?.[0]?.parts?.[0]?.text)).toEqual(
      other.map((i) => i.request.prompt),
    );
  });

  it("deletes an input file (again: no error); a create the provider refused deletes its file", async () => {
    const { api, jobs } = setup();
    const job = await jobs.create({ model: MODEL, displayName: "fc-del", items: big() });
    const file = api.job(job.name).inputFile!;
    await jobs.deleteInputFile(file);
    await jobs.deleteInputFile(file);
    expect(api.files.has(file)).toBe(false);
    expect(api.deletedFiles).toEqual([file]);

    fake().reset();
    fake().script(/:batchGenerateContent$/, { status: 400, json: { error: { code: 400, message: "bad batch", status: "INVALID_ARGUMENT" } } });
    api.install(fake());
    await expect(jobs.create({ model: MODEL, displayName: "fc-refused", items: big() })).rejects.toMatchObject({ code: "bad_request" });
    expect(api.deletedFiles).toEqual([file, inputFileName("fc-refused")]);
  });

  it("refuses a job over the file limit before uploading anything", async () => {
    const { jobs } = setup({ fileLimitBytes: 700 });
    expect(jobs.maxJobRequestBytes).toBe(700);
    await expect(jobs.create({ model: MODEL, displayName: "fc-huge", items: big() })).rejects.toMatchObject({ code: "limit_exceeded", retryable: false });
    expect(fake().requestsTo("/upload/")).toHaveLength(0);
  });

  it("reads the key at the start of a line that does not parse", () => {
    expect(keyOfBrokenLine('{"key": "12/a\\"b", "response": {"candi')).toBe('12/a"b');
    expect(keyOfBrokenLine('{"response": {}, "key": "x"')).toBeUndefined();
    expect(keyOfBrokenLine("garbage")).toBeUndefined();
  });
});

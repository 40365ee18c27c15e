/**
 * The fake Batch API answers the real @google/genai SDK's `ai.batches.create/get/cancel/list` the
 * way the Gemini API does: what the SDK sends, and that the SDK reads back state, display name and
 * inlined responses in input order with their metadata.
 */
import "./support/jest-undici-shim";
import { type BatchJob, GoogleGenAI, JobState } from "@google/genai";
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

/**
 * GeminiAiService image and video calls through the real @google/genai SDK against the fake
 * server: Gemini image models (inline data), Imagen (Vertex AI express mode), Veo long-running
 * operations polled on an injected clock, then downloaded (key header only to trusted origins).
 */
import "./support/jest-undici-shim";
import { PermanentError, RetryableError } from "../src/errors";
import { GeminiAiService } from "../src/ai/gemini";
import type { Clock } from "../src/ports/clock";
import { FakeGeminiServer } from "./support/fake-gemini-server";
import { candidateResponse, imagenResponse, inlineImageResponse, videoOperation } from "./support/gemini-responses";
import { ManualClock } from "../src/testing/manual-clock";
import { SteppingClock } from "./support/test-clocks";

const KEY = "AIzaSyFAKE-media-test-key-00000000000";
const VEO = "veo-3.0-generate-001";
const OP = `models/${VEO}/operations/op-42`;
const PNG_BYTES = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3);
const MP4_BYTES = Buffer.from("....ftypisom-fake-video-bytes");

let server: FakeGeminiServer;
let other: FakeGeminiServer;
beforeAll(async () => {
  server = await FakeGeminiServer.start();
  other = await FakeGeminiServer.start();
});
afterAll(async () => {
  await server.close();
  await other.close();
});
beforeEach(() => {
  server.reset();
  other.reset();
});

function gemini(clock: Clock = new SteppingClock(), extra: { videoTimeoutMs?: number } = {}): GeminiAiService {
  return new GeminiAiService({ apiKey: KEY, baseUrl: server.baseUrl, clock, pollIntervalMs: 10_000, ...extra });
}

describe("generateImage", () => {
  it("uses generateContent with IMAGE modality for Gemini image models and returns the first inline image", async () => {
    server.script(":generateContent", inlineImageResponse(PNG_BYTES, "image/png"));
    const r = await gemini().generateImage({ model: "gemini-2.5-flash-image", prompt: "a cat", aspectRatio: "16:9" });
    expect(Buffer.from(r.data).equals(Buffer.from(PNG_BYTES))).toBe(true);
    expect(r.mimeType).toBe("image/png");
    expect(r.usage).toEqual({ inputTokens: 7, outputTokens: 1290, totalTokens: 1297 });
    const body = server.requests[0]!.body as { contents: unknown; generationConfig: Record<string, unknown> };
    expect(server.requests[0]!.path).toBe("/v1beta/models/gemini-2.5-flash-image:generateContent");
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "a cat" }] }]);
    expect(body.generationConfig.responseModalities).toContain("IMAGE");
    expect(body.generationConfig.imageConfig).toEqual({ aspectRatio: "16:9" });
  });

  it("maps finishReason IMAGE_SAFETY to safety_blocked and a text-only answer to model_error", async () => {
    server.script(
      ":generateContent",
      candidateResponse({ finishReason: "IMAGE_SAFETY" }),
      candidateResponse({ content: { parts: [{ text: "I cannot draw that" }] }, finishReason: "STOP" }),
    );
    await expect(gemini().generateImage({ model: "gemini-2.5-flash-image", prompt: "x" })).rejects.toMatchObject({ code: "safety_blocked" });
    await expect(gemini().generateImage({ model: "gemini-2.5-flash-image", prompt: "x" })).rejects.toMatchObject({ code: "model_error" });
  });

  it("calls Imagen's :predict on Vertex AI (express mode) and returns the first image", async () => {
    server.script(":predict", imagenResponse(PNG_BYTES));
    const svc = new GeminiAiService({ apiKey: KEY, vertexai: {}, baseUrl: server.baseUrl });
    const r = await svc.generateImage({ model: "imagen-4.0-generate-001", prompt: "a lighthouse", aspectRatio: "1:1" });
    expect(Buffer.from(r.data).equals(Buffer.from(PNG_BYTES))).toBe(true);
    const req = server.requests[0]!;
    expect(req.path).toBe("/v1beta1/publishers/google/models/imagen-4.0-generate-001:predict");
    expect(req.body).toMatchObject({ instances: [{ prompt: "a lighthouse" }], parameters: { sampleCount: 1, aspectRatio: "1:1" } });
  });

  it("maps an Imagen RAI-filtered prediction to safety_blocked", async () => {
    server.script(":predict", { json: { predictions: [{ raiFilteredReason: "filtered" }] } });
    const svc = new GeminiAiService({ apiKey: KEY, vertexai: {}, baseUrl: server.baseUrl });
    await expect(svc.generateImage({ model: "imagen-4.0-generate-001", prompt: "x" })).rejects.toMatchObject({ code: "safety_blocked" });
  });

  it("rejects Imagen on the Gemini API (unsupported by SDK 2.x) without sending anything", async () => {
    const err = await gemini()
      .generateImage({ model: "imagen-4.0-generate-001", prompt: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe("bad_request");
    expect(server.requests).toHaveLength(0);
  });
});

describe("generateVideo", () => {
  it("starts the operation, polls until done on the injected clock, then downloads with the key header", async () => {
    const uri = `${server.baseUrl}/v1beta/files/vid-1:download?alt=media`;
    server
      .script(":predictLongRunning", videoOperation(OP, {}))
      .script("/operations/op-42", videoOperation(OP, {}), videoOperation(OP, {}), videoOperation(OP, { done: true, uri }))
      .script("/files/vid-1:download", { body: MP4_BYTES, headers: { "content-type": "video/mp4" } });
    const clock = new SteppingClock();
    const r = await gemini(clock).generateVideo({ model: VEO, prompt: "waves at dusk", aspectRatio: "16:9", durationSeconds: 8 });
    expect(Buffer.from(r.data).equals(MP4_BYTES)).toBe(true);
    expect(r.mimeType).toBe("video/mp4");
    const start = server.requestsTo(":predictLongRunning")[0]!;
    expect(start.path).toBe(`/v1beta/models/${VEO}:predictLongRunning`);
    expect(start.body).toMatchObject({ instances: [{ prompt: "waves at dusk" }], parameters: { aspectRatio: "16:9", durationSeconds: 8, sampleCount: 1 } });
    const polls = server.requestsTo("/operations/op-42");
    expect(polls.length).toBe(3);
    expect(polls.every((p) => p.method === "GET" && p.path === `/v1beta/${OP}`)).toBe(true);
    expect(clock.sleeps).toEqual([10_000, 10_000, 10_000]);
    const download = server.requestsTo("/files/vid-1:download")[0]!;
    expect(download.headers["x-goog-api-key"]).toBe(KEY);
    expect(download.query).toEqual({ alt: "media" });
  });

  it("uses inline video bytes when the operation carries them (no download)", async () => {
    server
      .script(":predictLongRunning", videoOperation(OP, {}))
      .script("/operations/op-42", videoOperation(OP, { done: true, encodedVideo: MP4_BYTES.toString("base64") }));
    const r = await gemini().generateVideo({ model: VEO, prompt: "x", pollIntervalMs: 5 });
    expect(Buffer.from(r.data).equals(MP4_BYTES)).toBe(true);
    expect(server.requests.map((q) => q.method)).toEqual(["POST", "GET"]);
  });

  it("never sends the key to an untrusted origin, nor across a redirect", async () => {
    other.script("/elsewhere", { body: MP4_BYTES, headers: { "content-type": "video/mp4" } });
    server
      .script(":predictLongRunning", videoOperation(OP, {}))
      .script("/operations/op-42", videoOperation(OP, { done: true, uri: `${server.baseUrl}/v1beta/files/v:download` }))
      .script("/files/v:download", { status: 302, headers: { location: `${other.baseUrl}/elsewhere/v.mp4` } });
    const r1 = await gemini().generateVideo({ model: VEO, prompt: "x" });
    expect(Buffer.from(r1.data).equals(MP4_BYTES)).toBe(true);
    expect(server.requestsTo("/files/v:download")[0]!.headers["x-goog-api-key"]).toBe(KEY);
    expect(other.requests[0]!.headers["x-goog-api-key"]).toBeUndefined();

    server.reset();
    server
      .script(":predictLongRunning", videoOperation(OP, {}))
      .script("/operations/op-42", videoOperation(OP, { done: true, uri: `${other.baseUrl}/elsewhere/w.mp4` }));
    await gemini().generateVideo({ model: VEO, prompt: "x" });
    expect(other.requests[1]!.headers["x-goog-api-key"]).toBeUndefined();
  });

  const opErrors: Array<[string, number, string, boolean]> = [
    ["RESOURCE_EXHAUSTED", 8, "rate_limited", true],
    ["UNAVAILABLE", 14, "unavailable", true],
    ["INVALID_ARGUMENT", 3, "bad_request", false],
    ["PERMISSION_DENIED", 7, "auth", false],
  ];
  it.each(opErrors)("classifies an operation error %s (rpc %i) as %s", async (_name, rpc, code, retryable) => {
    server
      .script(":predictLongRunning", videoOperation(OP, {}))
      .script("/operations/op-42", videoOperation(OP, { done: true, error: { code: rpc, message: "operation failed" } }));
    await expect(gemini().generateVideo({ model: VEO, prompt: "x" })).rejects.toMatchObject({ code, retryable });
  });

  it("maps a RAI-filtered result to safety_blocked", async () => {
    server.script(":predictLongRunning", videoOperation(OP, {})).script("/operations/op-42", videoOperation(OP, { done: true, raiFiltered: true }));
    await expect(gemini().generateVideo({ model: VEO, prompt: "x" })).rejects.toMatchObject({ code: "safety_blocked" });
  });

  it("maps a failed download to a classified error", async () => {
    server
      .script(":predictLongRunning", videoOperation(OP, {}))
      .script("/operations/op-42", videoOperation(OP, { done: true, uri: `${server.baseUrl}/v1beta/files/gone:download` }))
      .script("/files/gone:download", { status: 503, body: "try later" });
    await expect(gemini().generateVideo({ model: VEO, prompt: "x" })).rejects.toMatchObject({ code: "unavailable", retryable: true });
  });

  it("gives up polling after videoTimeoutMs (by the clock) with a retryable timeout", async () => {
    server.script(":predictLongRunning", videoOperation(OP, {})).script("/operations/op-42", videoOperation(OP, {}));
    const err = await gemini(new SteppingClock(), { videoTimeoutMs: 25_000 })
      .generateVideo({ model: VEO, prompt: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).code).toBe("timeout");
    expect(server.requestsTo("/operations/op-42")).toHaveLength(3);
  });

  it("stops polling when aborted and rejects with cancelled", async () => {
    server.script(":predictLongRunning", videoOperation(OP, {})).script("/operations/op-42", videoOperation(OP, {}));
    const clock = new ManualClock();
    const ac = new AbortController();
    const call = gemini(clock).generateVideo({ model: VEO, prompt: "x", signal: ac.signal });
    while (clock.pendingTimers === 0) await new Promise((r) => setTimeout(r, 2));
    await clock.advance(10_000);
    while (clock.pendingTimers === 0) await new Promise((r) => setTimeout(r, 2));
    ac.abort();
    await expect(call).rejects.toMatchObject({ code: "cancelled", retryable: true });
    expect(server.requestsTo("/operations/op-42")).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});

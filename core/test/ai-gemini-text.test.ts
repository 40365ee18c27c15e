/**
 * GeminiAiService.generateText through the real @google/genai SDK against the fake Gemini server:
 * what goes on the wire (prompt verbatim, system instruction, generation config, JSON schema,
 * API key header) and how responses are read (text, JSON, usage, safety, empty answers).
 */
import "./support/jest-undici-shim";
import { PermanentError } from "../src/errors";
import { GeminiAiService } from "../src/ai/gemini";
import { FakeGeminiServer } from "./support/fake-gemini-server";
import { candidateResponse, promptBlockedResponse, textResponse } from "./support/gemini-responses";

const KEY = "AIzaSyFAKE-text-test-key-000000000000";
const MODEL = "gemini-2.5-flash";

let server: FakeGeminiServer;
beforeAll(async () => {
  server = await FakeGeminiServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function service(): GeminiAiService {
  return new GeminiAiService({ apiKey: KEY, baseUrl: server.baseUrl });
}

interface WireBody {
  contents: Array<{ role: string; parts: Array<{ text?: string }> }>;
  systemInstruction?: { parts: Array<{ text: string }> };
  generationConfig?: Record<string, unknown>;
}

describe("GeminiAiService.generateText on the wire", () => {
  it("sends the prompt verbatim as one user text part, with system instruction and config", async () => {
    server.script(":generateContent", textResponse("Hello back"));
    const prompt = "  Line one {{not a template}}\n\tline two — ünïcödé  ";
    const r = await service().generateText({ model: MODEL, prompt, system: "Be terse.", temperature: 0.3, maxOutputTokens: 64 });
    expect(r.text).toBe("Hello back");
    const [req] = server.requests;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(req!.headers["x-goog-api-key"]).toBe(KEY);
    const body = req!.body as WireBody;
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: prompt }] }]);
    expect(body.systemInstruction?.parts).toEqual([{ text: "Be terse." }]);
    expect(body.generationConfig).toMatchObject({ temperature: 0.3, maxOutputTokens: 64 });
  });

  it("omits the system instruction when none is given", async () => {
    server.script(":generateContent", textResponse("ok"));
    await service().generateText({ model: MODEL, prompt: "hi" });
    const body = server.requests[0]!.body as WireBody;
    expect(body.systemInstruction).toBeUndefined();
  });

  it("asks for JSON with responseMimeType + responseJsonSchema and parses the answer", async () => {
    server.script(":generateContent", textResponse('{"name":"Ada","age":36}'));
    const jsonSchema = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } } };
    const r = await service().generateText({ model: MODEL, prompt: "who?", jsonSchema });
    expect(r.json).toEqual({ name: "Ada", age: 36 });
    expect(r.text).toBe('{"name":"Ada","age":36}');
    const config = (server.requests[0]!.body as WireBody).generationConfig;
    expect(config).toMatchObject({ responseMimeType: "application/json", responseJsonSchema: jsonSchema });
  });

  it("rejects JSON-mode output that is not JSON with model_error", async () => {
    server.script(":generateContent", textResponse("Sure! Here it is: {name: Ada"));
    const err = await service()
      .generateText({ model: MODEL, prompt: "who?", jsonSchema: { type: "object" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe("model_error");
  });

  it("captures usage from usageMetadata, counting thinking tokens as output", async () => {
    server.script(":generateContent", textResponse("x", { promptTokenCount: 11, candidatesTokenCount: 5, thoughtsTokenCount: 3, totalTokenCount: 19 }));
    const r = await service().generateText({ model: MODEL, prompt: "count" });
    expect(r.usage).toEqual({ inputTokens: 11, outputTokens: 8, totalTokens: 19 });
    expect(r.model).toBe("gemini-test-001");
  });

  it("skips thought parts and joins the remaining text parts", async () => {
    server.script(
      ":generateContent",
      candidateResponse({
        content: { role: "model", parts: [{ text: "thinking…", thought: true }, { text: "Hello " }, { text: "world" }] },
        finishReason: "STOP",
      }),
    );
    const r = await service().generateText({ model: MODEL, prompt: "hi" });
    expect(r.text).toBe("Hello world");
  });
});

describe("GeminiAiService.generateText: blocked and empty answers", () => {
  const cases: Array<[string, string, () => ReturnType<typeof textResponse>]> = [
    ["prompt blocked (promptFeedback.blockReason)", "safety_blocked", () => promptBlockedResponse("SAFETY")],
    ["prompt blocked for PROHIBITED_CONTENT", "safety_blocked", () => promptBlockedResponse("PROHIBITED_CONTENT")],
    ["candidate finishReason SAFETY", "safety_blocked", () => candidateResponse({ finishReason: "SAFETY", safetyRatings: [] })],
    ["candidate finishReason SPII", "safety_blocked", () => candidateResponse({ finishReason: "SPII" })],
    ["candidate finishReason BLOCKLIST", "safety_blocked", () => candidateResponse({ finishReason: "BLOCKLIST" })],
    ["no candidates", "model_error", () => ({ json: { candidates: [], usageMetadata: {} } })],
    ["a candidate without text", "model_error", () => candidateResponse({ content: { role: "model", parts: [] }, finishReason: "STOP" })],
  ];
  it.each(cases)("%s → PermanentError(%s)", async (_name, code, response) => {
    server.script(":generateContent", response());
    const err = await service()
      .generateText({ model: MODEL, prompt: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).toInfo()).toMatchObject({ code, retryable: false });
  });
});

describe("GeminiAiService endpoint selection", () => {
  const saved = process.env.GOOGLE_GEMINI_BASE_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.GOOGLE_GEMINI_BASE_URL;
    else process.env.GOOGLE_GEMINI_BASE_URL = saved;
  });

  it("honours GOOGLE_GEMINI_BASE_URL when no baseUrl option is given (read at construction)", async () => {
    process.env.GOOGLE_GEMINI_BASE_URL = server.baseUrl;
    const svc = new GeminiAiService({ apiKey: KEY });
    delete process.env.GOOGLE_GEMINI_BASE_URL;
    server.script(":generateContent", textResponse("via env"));
    await expect(svc.generateText({ model: MODEL, prompt: "env" })).resolves.toMatchObject({ text: "via env" });
    expect(server.requests).toHaveLength(1);
  });

  it("prefers the baseUrl option over GOOGLE_GEMINI_BASE_URL", async () => {
    process.env.GOOGLE_GEMINI_BASE_URL = "http://127.0.0.1:9"; // nothing listens there
    server.script(":generateContent", textResponse("via option"));
    await expect(service().generateText({ model: MODEL, prompt: "opt" })).resolves.toMatchObject({ text: "via option" });
  });

  it("refuses to start without a key or Vertex AI settings (no silent env fallback)", () => {
    expect(() => new GeminiAiService({ baseUrl: server.baseUrl })).toThrow(PermanentError);
    expect(() => new GeminiAiService({ apiKey: "   " })).toThrow(expect.objectContaining({ code: "auth" }) as Error);
  });
});

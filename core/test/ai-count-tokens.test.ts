/**
 * countTokens on the AI port: Gemini through the real @google/genai SDK (`models.countTokens`)
 * against the fake server, and the offline provider's chars/4 approximation (the one its usage uses).
 */
import "./support/jest-undici-shim";
import { GeminiAiService } from "../src/ai/gemini";
import { OfflineAiService } from "../src/ai/offline";
import { FakeGeminiServer } from "./support/fake-gemini-server";
import { googleError } from "./support/gemini-responses";

const KEY = "AIzaSyFAKE-count-test-key-00000000000";

let server: FakeGeminiServer;
beforeAll(async () => {
  server = await FakeGeminiServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

describe("countTokens", () => {
  it("Gemini: calls :countTokens with the prompt (and the system text as its own content) and reads totalTokens", async () => {
    server.script(":countTokens", { json: { totalTokens: 42 } });
    const n = await new GeminiAiService({ apiKey: KEY, baseUrl: server.baseUrl }).countTokens({
      model: "gemini-2.5-flash",
      prompt: "Count me",
      system: "Be terse.",
    });
    expect(n).toBe(42);
    const [req] = server.requests;
    expect(req!.path).toBe("/v1beta/models/gemini-2.5-flash:countTokens");
    expect(JSON.stringify(req!.body)).toContain("Count me");
    expect(JSON.stringify(req!.body)).toContain("Be terse.");
    expect(server.requests.some((r) => r.path.includes(":generateContent"))).toBe(false);
  });

  it("Gemini: a refused call is a classified provider error, never the raw SDK error", async () => {
    server.script(":countTokens", googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."));
    await expect(new GeminiAiService({ apiKey: KEY, baseUrl: server.baseUrl }).countTokens({ model: "gemini-2.5-flash", prompt: "x" })).rejects.toMatchObject({
      retryable: false,
    });
  });

  it("offline: ceil(chars / 4) for the prompt plus the system text, as in its usage", async () => {
    const ai = new OfflineAiService();
    await expect(ai.countTokens({ model: "m", prompt: "12345678", system: "abc" })).resolves.toBe(2 + 1);
    const res = await ai.generateText({ model: "m", prompt: "12345678", system: "abc" });
    expect(res.usage.inputTokens).toBe(3);
  });
});

/**
 * createAiService picks Gemini when a key or Vertex AI settings are given, else the offline
 * provider; it reads no environment itself, and the chosen Gemini service really reaches the
 * configured endpoint.
 */
import "./support/jest-undici-shim";
import { PermanentError } from "../src/errors";
import { createAiService } from "../src/ai/create-ai-service";
import { GeminiAiService } from "../src/ai/gemini";
import { OfflineAiService } from "../src/ai/offline";
import { FakeGeminiServer } from "./support/fake-gemini-server";
import { textResponse } from "./support/gemini-responses";
import { ManualClock } from "../src/testing/manual-clock";

/** Delay until the clock's next timer, if any. */
function nextDelay(c: ManualClock): number | undefined {
  const at = c.nextTimerAt();
  return at === undefined ? undefined : at - c.now();
}

describe("createAiService", () => {
  it("is offline without a key, even when GEMINI_API_KEY is set in the environment", () => {
    const saved = process.env.GEMINI_API_KEY;
    process.env.GEMINI_API_KEY = "AIzaSyENV-should-not-be-read-000000000";
    try {
      const svc = createAiService({});
      expect(svc).toBeInstanceOf(OfflineAiService);
      expect(svc.name).toBe("offline");
      expect(createAiService({ apiKey: "  " })).toBeInstanceOf(OfflineAiService);
    } finally {
      if (saved === undefined) delete process.env.GEMINI_API_KEY;
      else process.env.GEMINI_API_KEY = saved;
    }
  });

  it("is Gemini with a key or with Vertex AI settings", () => {
    expect(createAiService({ apiKey: "AIzaSyFAKE-000000000000000" })).toBeInstanceOf(GeminiAiService);
    expect(createAiService({ vertexai: { project: "p", location: "us-central1" } }).name).toBe("gemini");
  });

  it("honours an explicit provider, and refuses gemini without credentials", () => {
    expect(createAiService({ provider: "offline", apiKey: "AIzaSyFAKE-000000000000000" })).toBeInstanceOf(OfflineAiService);
    expect(() => createAiService({ provider: "gemini" })).toThrow(PermanentError);
  });

  it("passes offline latency and the clock through", async () => {
    const clock = new ManualClock();
    const svc = createAiService({ offlineLatencyMs: 300, clock });
    const call = svc.generateText({ model: "m", prompt: "p" });
    await clock.advance(0);
    expect(nextDelay(clock)).toBe(300);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(300);
    await expect(call).resolves.toMatchObject({ model: "m" });
  });

  it("builds a Gemini service that reaches the given base URL with the given key", async () => {
    const server = await FakeGeminiServer.start();
    try {
      server.script(":generateContent", textResponse("from fake"));
      const svc = createAiService({ apiKey: "AIzaSyFAKE-create-0000000000", baseUrl: server.baseUrl });
      await expect(svc.generateText({ model: "gemini-2.5-flash", prompt: "hi" })).resolves.toMatchObject({ text: "from fake" });
      expect(server.requests[0]!.headers["x-goog-api-key"]).toBe("AIzaSyFAKE-create-0000000000");
    } finally {
      await server.close();
    }
  });
});

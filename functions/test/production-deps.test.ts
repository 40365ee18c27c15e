/**
 * Production wiring without network: the AI provider is chosen from params at run time (offline,
 * Gemini with the secret, Vertex), functions not bound to the secret get an AI that refuses with a
 * safe `auth` error, and the Firebase adapters assemble from the runtime's FIREBASE_CONFIG.
 */
import { PermanentError, StoreGovernor } from "@flowcraft/core";
import { makeAiService } from "../src/runtime/ai-provider";
import { productionDeps } from "../src/runtime/production-deps";
import { FirestoreStore } from "../src/adapters/firestore-store";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("makeAiService", () => {
  it("refuses calls in functions without the secret", async () => {
    process.env.AI_PROVIDER = "offline";
    const ai = makeAiService(false);
    await expect(ai.generateText({ model: "m", prompt: "p" })).rejects.toBeInstanceOf(PermanentError);
    await expect(ai.generateText({ model: "m", prompt: "p" })).rejects.toMatchObject({ code: "auth" });
  });

  it("refuses with a safe message when the Gemini key is missing", async () => {
    delete process.env.AI_PROVIDER;
    delete process.env.GEMINI_API_KEY;
    const ai = makeAiService(true);
    await expect(ai.generateImage({ model: "m", prompt: "p" })).rejects.toMatchObject({ code: "auth", message: expect.stringMatching(/not configured/) });
  });

  it.each([
    [{ AI_PROVIDER: "offline" }, "offline"],
    [{ AI_PROVIDER: "gemini", GEMINI_API_KEY: "k" }, "gemini"],
    [{ AI_PROVIDER: "vertex", GCLOUD_PROJECT: "demo-flowcraft" }, "gemini"],
  ])("picks the provider from params %j", (env, name) => {
    Object.assign(process.env, env);
    expect(makeAiService(true).name).toContain(name);
  });
});

describe("productionDeps", () => {
  it("assembles the Firebase adapters without touching the network", () => {
    process.env.GCLOUD_PROJECT = "demo-flowcraft";
    process.env.FIREBASE_CONFIG = JSON.stringify({ projectId: "demo-flowcraft", storageBucket: "demo-flowcraft.appspot.com" });
    const deps = productionDeps({ withAi: false });
    expect(deps.store).toBeInstanceOf(FirestoreStore);
    expect(typeof deps.handlers.runRowTask).toBe("function");
    expect(deps.ai.name).toBe("unconfigured");
  });

  it("puts one StoreGovernor per instance in front of every AI call, shared by functions with and without the secret", () => {
    process.env.GCLOUD_PROJECT = "demo-flowcraft";
    process.env.FIREBASE_CONFIG = JSON.stringify({ projectId: "demo-flowcraft", storageBucket: "demo-flowcraft.appspot.com" });
    const withoutAi = productionDeps({ withAi: false });
    const withAi = productionDeps({ withAi: true });
    expect(withAi.governor).toBeInstanceOf(StoreGovernor);
    expect(withoutAi.governor).toBe(withAi.governor);
  });
});

/**
 * Picks the AI provider for a command from its flag and the environment: gemini when asked, or by
 * default when GEMINI_API_KEY is set; offline otherwise. GOOGLE_GEMINI_BASE_URL is left for the
 * SDK to read itself.
 */
import { createAiService, type AiService } from "@flowcraft/core";
import { UsageError } from "./args";

export interface ProviderChoice {
  name: "offline" | "gemini";
  ai: AiService;
}

export function chooseProvider(flag: string | undefined, env: NodeJS.ProcessEnv, defaultLatencyMs: number): ProviderChoice {
  if (flag !== undefined && flag !== "offline" && flag !== "gemini") throw new UsageError("--provider must be offline or gemini");
  const apiKey = env.GEMINI_API_KEY?.trim() || undefined;
  const name = flag ?? (apiKey ? "gemini" : "offline");
  if (name === "gemini" && !apiKey) throw new UsageError("--provider gemini needs GEMINI_API_KEY in the environment");
  const latency = Number(env.FLOWCRAFT_OFFLINE_LATENCY_MS);
  const offlineLatencyMs = env.FLOWCRAFT_OFFLINE_LATENCY_MS && Number.isFinite(latency) && latency >= 0 ? latency : defaultLatencyMs;
  const ai = createAiService({ provider: name, ...(apiKey ? { apiKey } : {}), offlineLatencyMs });
  return { name, ai };
}

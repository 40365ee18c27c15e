/**
 * Chooses the AI service from params at run time: Gemini with the API key secret, Vertex AI with
 * the runtime service account, or the offline provider (emulator demos). Functions not bound to the
 * secret get a service that refuses calls with a safe message.
 */
import { GeminiAiService, OfflineAiService, PermanentError, type AiService } from "@flowcraft/core";
import { AI_PROVIDER, GEMINI_API_KEY, VERTEX_LOCATION, runtimeProjectId } from "../config/params";

export function makeAiService(withAi: boolean): AiService {
  if (!withAi) return refusingAi("This function does not call the AI provider");
  const provider = AI_PROVIDER.value();
  switch (provider) {
    case "offline":
      return new OfflineAiService({});
    case "vertex":
      return new GeminiAiService({ vertexai: { project: runtimeProjectId(), location: VERTEX_LOCATION.value() } });
    default: {
      const apiKey = GEMINI_API_KEY.value();
      if (!apiKey) return refusingAi("The Gemini API key is not configured on the server");
      return new GeminiAiService({ apiKey });
    }
  }
}

function refusingAi(message: string): AiService {
  const refuse = (): Promise<never> => Promise.reject(new PermanentError("auth", message));
  return { name: "unconfigured", generateText: refuse, generateImage: refuse, generateVideo: refuse };
}

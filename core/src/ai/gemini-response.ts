/**
 * Reads Gemini `generateContent` responses: text (without thought parts), the first inline image,
 * usage, and the safety / empty-answer checks. Failures are `GeminiFailure`s for classify-error.
 */
import type { GenerateContentResponse, Part } from "@google/genai";
import { ResponseFailure, SAFETY_REASONS } from "./classify-error";
import { type Usage, ZERO_USAGE } from "./port";

/** The first candidate's parts, after the prompt- and candidate-level safety checks. */
function usableParts(response: GenerateContentResponse, what: string): Part[] {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) throw new ResponseFailure({ kind: "safety", reason: String(blockReason) });
  const candidate = response.candidates?.[0];
  if (!candidate) throw new ResponseFailure({ kind: "empty", what });
  const finish = candidate.finishReason ? String(candidate.finishReason) : undefined;
  if (finish && SAFETY_REASONS.has(finish)) throw new ResponseFailure({ kind: "safety", reason: finish });
  return candidate.content?.parts ?? [];
}

/** Concatenated text parts of the first candidate, thought parts excluded. */
export function readText(response: GenerateContentResponse): string {
  const parts = usableParts(response, "text");
  const texts = parts.filter((p) => typeof p.text === "string" && p.thought !== true).map((p) => p.text ?? "");
  if (texts.length === 0) throw new ResponseFailure({ kind: "empty", what: "text" });
  return texts.join("");
}

/** The first inline-data part of the first candidate, decoded. */
export function readInlineImage(response: GenerateContentResponse): { data: Uint8Array; mimeType: string } {
  const parts = usableParts(response, "image");
  for (const p of parts) {
    const inline = p.inlineData;
    if (inline?.data && p.thought !== true) {
      return { data: new Uint8Array(Buffer.from(inline.data, "base64")), mimeType: inline.mimeType ?? "image/png" };
    }
  }
  throw new ResponseFailure({ kind: "empty", what: "image" });
}

/**
 * Usage from `usageMetadata`. Thinking tokens are billed as output, so they count as output here;
 * total is the provider's figure when given.
 */
export function readUsage(response: GenerateContentResponse): Usage {
  const u = response.usageMetadata;
  if (!u) return ZERO_USAGE;
  const inputTokens = u.promptTokenCount ?? 0;
  const outputTokens = (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: u.totalTokenCount ?? inputTokens + outputTokens };
}

/** Parses JSON-mode output; the model may wrap it in a ```json fence despite the mime type. */
export function parseJsonText(text: string): unknown {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  try {
    return JSON.parse(fenced?.[1] ?? text) as unknown;
  } catch {
    throw new ResponseFailure({ kind: "bad_json" });
  }
}

/**
 * Response bodies in the Gemini / Vertex REST wire format, for scripting the fake server.
 * Shapes follow what @google/genai 2.32 parses (see generateContentResponseFromMldev,
 * generateVideosOperationFromMldev, generateImagesResponseFromVertex in the SDK).
 */
import type { ScriptedResponse } from "./fake-gemini-server";

export interface WireUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  thoughtsTokenCount?: number;
}

export function textResponse(text: string, usage: WireUsage = {}, extra: Record<string, unknown> = {}): ScriptedResponse {
  return {
    json: {
      candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: usage,
      modelVersion: "gemini-test-001",
      ...extra,
    },
  };
}

export function candidateResponse(candidate: Record<string, unknown>, extra: Record<string, unknown> = {}): ScriptedResponse {
  return { json: { candidates: [candidate], ...extra } };
}

export function promptBlockedResponse(blockReason: string): ScriptedResponse {
  return { json: { promptFeedback: { blockReason }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } } };
}

export function inlineImageResponse(data: Uint8Array, mimeType = "image/png"): ScriptedResponse {
  return {
    json: {
      candidates: [
        {
          content: {
            role: "model",
            parts: [{ text: "Here is your image." }, { inlineData: { mimeType, data: Buffer.from(data).toString("base64") } }],
          },
          finishReason: "STOP",
        },
      ],
      usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 1290, totalTokenCount: 1297 },
    },
  };
}

export function imagenResponse(data: Uint8Array, mimeType = "image/png"): ScriptedResponse {
  return { json: { predictions: [{ bytesBase64Encoded: Buffer.from(data).toString("base64"), mimeType }] } };
}

/** A Google API error body: `{error: {code, message, status, details}}`. */
export function googleError(code: number, status: string, message: string, details?: unknown[], headers?: Record<string, string>): ScriptedResponse {
  return { status: code, json: { error: { code, message, status, ...(details ? { details } : {}) } }, ...(headers ? { headers } : {}) };
}

export function retryInfo(retryDelay: string): Record<string, unknown> {
  return { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay };
}

/** A Veo long-running operation as the Gemini API returns it. */
export function videoOperation(
  name: string,
  state: { done?: boolean; uri?: string; encodedVideo?: string; error?: unknown; raiFiltered?: boolean },
): ScriptedResponse {
  const json: Record<string, unknown> = { name };
  if (state.done) json.done = true;
  if (state.error) json.error = state.error;
  if (state.uri || state.encodedVideo) {
    const video: Record<string, unknown> = { encoding: "video/mp4" };
    if (state.uri) video.uri = state.uri;
    if (state.encodedVideo) video.encodedVideo = state.encodedVideo;
    json.response = {
      "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
      generateVideoResponse: { generatedSamples: [{ video }] },
    };
  } else if (state.raiFiltered) {
    json.response = { generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ["blocked by filter"] } };
  }
  return { json };
}

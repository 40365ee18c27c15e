/**
 * One text request's `generateContent` parameters and the reading of its answer, shared by the
 * realtime call (`GeminiAiService.generateText`) and the Batch API (`GeminiBatchJobs`), so a
 * request means the same and an answer is judged the same (safety, empty text, JSON) in both.
 */
import type { Content, GenerateContentConfig, GenerateContentResponse } from "@google/genai";
import { parseJsonText, readText, readUsage } from "./gemini-response";
import type { TextRequest, TextResult } from "./port";

/** Generation config of a text request (without the abort signal, which only realtime has). */
export function textConfig(req: Omit<TextRequest, "signal">): GenerateContentConfig {
  const config: GenerateContentConfig = {};
  if (req.system) config.systemInstruction = req.system;
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.maxOutputTokens !== undefined) config.maxOutputTokens = req.maxOutputTokens;
  if (req.jsonSchema) {
    config.responseMimeType = "application/json";
    config.responseJsonSchema = req.jsonSchema;
  }
  return config;
}

/** The prompt, verbatim, as one user text part. */
export function textContents(prompt: string): Content[] {
  return [{ role: "user", parts: [{ text: prompt }] }];
}

/** Text, usage and (in JSON mode) the parsed value; throws `ResponseFailure` when unusable. */
export function readTextResult(response: GenerateContentResponse, req: Pick<TextRequest, "model" | "jsonSchema">): TextResult {
  const text = readText(response);
  const usage = readUsage(response);
  const model = response.modelVersion ?? req.model;
  if (!req.jsonSchema) return { text, usage, model };
  return { text, json: parseJsonText(text), usage, model };
}

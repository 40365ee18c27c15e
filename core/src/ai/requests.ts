/**
 * The requests for one generation outside a batch (`POST /api/generate-*` locally, the
 * `generate*` callables on Firebase): one schema each, used by both hosts, so the two accept the
 * same fields within the same bounds.
 */
import { z } from "zod";
import { checkJsonTree } from "../json-limits";

const Model = z.string().min(1).max(200);
const Prompt = z.string().min(1).max(100_000);

/** A JSON schema is bounded like the flows that carry one (depth, reserved keys: json-limits.ts). */
const JsonSchema = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  const problems: { path: string; message: string }[] = [];
  checkJsonTree(schema, problems, { nestedArrays: true, maxProblems: 5 });
  for (const p of problems) ctx.addIssue({ code: "custom", message: `${p.path}: ${p.message}` });
});

export const GenerateTextRequest = z
  .object({
    model: Model,
    prompt: Prompt,
    system: z.string().max(100_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    jsonSchema: JsonSchema.optional(),
  })
  .strict();
export type GenerateTextRequest = z.infer<typeof GenerateTextRequest>;

export const GenerateImageRequest = z.object({ model: Model, prompt: Prompt, aspectRatio: z.enum(["1:1", "3:4", "4:3", "9:16", "16:9"]).optional() }).strict();
export type GenerateImageRequest = z.infer<typeof GenerateImageRequest>;

export const GenerateVideoRequest = z
  .object({
    model: Model,
    prompt: Prompt,
    aspectRatio: z.enum(["16:9", "9:16"]).optional(),
    durationSeconds: z.number().int().min(1).max(60).optional(),
  })
  .strict();
export type GenerateVideoRequest = z.infer<typeof GenerateVideoRequest>;

/** zod schemas for the preview and single-generation routes. */
import { z } from "zod";

export const PreviewBody = z
  .object({
    flow: z.unknown().refine((v) => v !== undefined, "a flow is required"),
    row: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? "" : String(v)))),
  })
  .strict();

export const GenerateTextBody = z
  .object({
    model: z.string().min(1),
    prompt: z.string().min(1),
    system: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    jsonSchema: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const GenerateImageBody = z
  .object({
    model: z.string().min(1),
    prompt: z.string().min(1),
    aspectRatio: z.enum(["1:1", "3:4", "4:3", "9:16", "16:9"]).optional(),
  })
  .strict();

export const GenerateVideoBody = z
  .object({
    model: z.string().min(1),
    prompt: z.string().min(1),
    aspectRatio: z.enum(["16:9", "9:16"]).optional(),
    durationSeconds: z.number().int().min(1).max(60).optional(),
  })
  .strict();

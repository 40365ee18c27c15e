/** zod schemas for the preview and single-generation routes. */
import { checkJsonTree, reservedKeyProblem } from "@flowcraft/core";
import { z } from "zod";

/** A JSON schema is bounded like the flows that carry one (depth, reserved keys: json-limits.ts). */
const JsonSchema = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  const problems: { path: string; message: string }[] = [];
  checkJsonTree(schema, problems, { nestedArrays: true, maxProblems: 5 });
  for (const p of problems) ctx.addIssue({ code: "custom", message: `${p.path}: ${p.message}` });
});

export const PreviewBody = z
  .object({
    flow: z.unknown().refine((v) => v !== undefined, "a flow is required"),
    row: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? "" : String(v)))),
  })
  .strict()
  .superRefine((b, ctx) => {
    // The row's keys are column names: the same reserved names as for a batch are refused.
    for (const key of Object.keys(b.row)) {
      const problem = reservedKeyProblem(key);
      if (problem) ctx.addIssue({ code: "custom", path: ["row", key], message: problem });
    }
  });

export const GenerateTextBody = z
  .object({
    model: z.string().min(1),
    prompt: z.string().min(1),
    system: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    jsonSchema: JsonSchema.optional(),
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

/**
 * Callable payload schemas (the contract in briefs/interfaces.md). Shapes only: the core checks
 * limits (rows, columns, cell sizes, concurrency range) and the flow graph, with row-level details.
 */
import { checkJsonTree, reservedKeyProblem } from "@flowcraft/core";
import { z } from "zod";

const JobId = z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/, "must be a job id");
const present = z.unknown().refine((v) => v !== undefined && v !== null, "is required");

export const CreateBatchInput = z.object({
  name: z.string().max(200).optional(),
  flow: present,
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.string())),
  concurrency: z.number().int().optional(),
  start: z.boolean().optional(),
});
export type CreateBatchInput = z.infer<typeof CreateBatchInput>;

export const JobRef = z.object({ jobId: JobId });
export type JobRef = z.infer<typeof JobRef>;

export const SetConcurrencyInput = z.object({ jobId: JobId, concurrency: z.number().int() });
export type SetConcurrencyInput = z.infer<typeof SetConcurrencyInput>;

/** A preview row's keys are column names: the reserved ones a batch refuses are refused here too. */
const PreviewRow = z.record(z.string(), z.string()).superRefine((row, ctx) => {
  for (const key of Object.keys(row)) {
    const problem = reservedKeyProblem(key);
    if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
  }
});

export const PreviewInput = z.object({ flow: present, row: PreviewRow });
export type PreviewInput = z.infer<typeof PreviewInput>;

const Model = z.string().min(1).max(200);
const Prompt = z.string().min(1).max(100_000);

export const GenerateTextInput = z.object({
  model: Model,
  prompt: Prompt,
  system: z.string().max(100_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  jsonSchema: z
    .record(z.string(), z.unknown())
    .superRefine((schema, ctx) => {
      // Bounded like the flows that carry a schema (depth, reserved keys).
      const problems: { path: string; message: string }[] = [];
      checkJsonTree(schema, problems, { nestedArrays: true, maxProblems: 5 });
      for (const p of problems) ctx.addIssue({ code: "custom", message: `${p.path}: ${p.message}` });
    })
    .optional(),
});
export type GenerateTextInput = z.infer<typeof GenerateTextInput>;

export const GenerateImageInput = z.object({ model: Model, prompt: Prompt, aspectRatio: z.string().max(16).optional() });
export type GenerateImageInput = z.infer<typeof GenerateImageInput>;

export const GenerateVideoInput = z.object({
  model: Model,
  prompt: Prompt,
  aspectRatio: z.string().max(16).optional(),
  durationSeconds: z.number().int().min(1).max(60).optional(),
});
export type GenerateVideoInput = z.infer<typeof GenerateVideoInput>;

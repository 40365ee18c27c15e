/** zod schemas for the batch routes' request bodies and query strings. */
import { JobCallLimits, JobMode } from "@flowcraft/core";
import { z } from "zod";

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? "" : String(v)));

const Common = {
  name: z.string().max(200).optional(),
  flow: z.unknown().refine((v) => v !== undefined, "a flow is required"),
  concurrency: z.number().int().optional(),
  /** `realtime` (the default) or `economy`: text steps through provider batch jobs at half price. */
  mode: JobMode.optional(),
  /** Per-batch calls at once by step type / model, e.g. `{byKind: {text: 10, video: 1}}`. */
  callLimits: JobCallLimits.optional(),
  start: z.boolean().optional(),
  /** Spend cap in USD: the batch pauses with reason `budget` when it is reached. */
  budgetUsd: z.number().positive().finite().optional(),
  /** Called when the batch finishes, pauses or fails (https, or http on a loopback address). */
  webhookUrl: z.string().optional(),
  /** Idempotency key, one per submit (the core checks its format and replays repeats). */
  requestId: z.string().optional(),
};

const Tabular = {
  csv: z.string().optional(),
  /** Id of a CSV streamed to `POST /api/uploads` (large files). */
  upload: z.string().min(1).optional(),
  columns: z.array(z.string()).optional(),
  rows: z.array(z.record(z.string(), Cell)).optional(),
};

export interface TabularBody {
  csv?: string | undefined;
  upload?: string | undefined;
  columns?: string[] | undefined;
  rows?: Record<string, string>[] | undefined;
}

function oneSource(b: TabularBody, ctx: z.RefinementCtx): void {
  const tabular = b.columns !== undefined || b.rows !== undefined;
  const sources = [b.csv !== undefined, b.upload !== undefined, tabular].filter(Boolean).length;
  if (sources > 1) {
    ctx.addIssue({ code: "custom", path: [b.csv !== undefined ? "csv" : "upload"], message: "give one of csv, upload, or columns and rows" });
  } else if (b.csv === undefined && b.upload === undefined && (b.columns === undefined || b.rows === undefined)) {
    ctx.addIssue({ code: "custom", path: [b.columns ? "rows" : "columns"], message: "give csv text, an upload id, or columns and rows" });
  }
}

/** One of `csv` (raw CSV text, header first), `upload` (a streamed upload's id) or `columns` + `rows`. */
export const CreateBatchBody = z
  .object({ ...Common, ...Tabular })
  .strict()
  .superRefine(oneSource);
export type CreateBatchBody = z.infer<typeof CreateBatchBody>;

/** The create body's flow and rows (csv, or columns + rows), plus the estimate's own options. */
export const EstimateBatchBody = z
  .object({
    flow: Common.flow,
    concurrency: Common.concurrency,
    ...Tabular,
    totalRows: z.number().int().positive().optional(),
    dryRunRows: z.number().int().min(0).optional(),
    seed: z.number().int().optional(),
  })
  .strict()
  .superRefine(oneSource);
export type EstimateBatchBody = z.infer<typeof EstimateBatchBody>;

/** Resume: an optional new budget for the spend cap (USD, > 0). */
export const ResumeBatchBody = z.object({ budgetUsd: z.number().positive().finite().optional() }).strict();

export const PatchBatchBody = z.object({ concurrency: z.number().int() }).strict();

/** A page query of the results or the input rows (`GET .../results`, `GET .../rows`). */
export const ResultsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().min(1).optional(),
});

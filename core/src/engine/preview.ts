/**
 * A preview: one flow run on one row, outside a batch (`POST /api/preview` locally, the
 * `previewFlow` callable on Firebase). Both hosts parse the request with `PreviewRequest` and the
 * flow with `previewFlowOf`, so a preview is held to a batch's flow limits (the node count too).
 */
import { z } from "zod";
import type { BatchLimits } from "../batch/limits";
import { reservedKeyProblem } from "../json-limits";
import { parseFlow } from "../flow/parse";
import type { ValidFlow } from "../flow/valid-flow";

/** A cell: strings as they are, numbers and booleans as their text, null as empty. */
const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? "" : String(v)));

export const PreviewRequest = z
  .object({
    flow: z.unknown().refine((v) => v !== undefined && v !== null, "a flow is required"),
    row: z.record(z.string(), Cell),
  })
  .strict()
  .superRefine((b, ctx) => {
    // The row's keys are column names: the same reserved names as for a batch are refused.
    for (const key of Object.keys(b.row)) {
      const problem = reservedKeyProblem(key);
      if (problem) ctx.addIssue({ code: "custom", path: ["row", key], message: problem });
    }
  });
export type PreviewRequest = z.infer<typeof PreviewRequest>;

/** The preview's flow, checked against the row's columns and the host's node limit. */
export function previewFlowOf(request: PreviewRequest, limits: Pick<BatchLimits, "maxNodes">): ValidFlow {
  return parseFlow(request.flow, { columns: Object.keys(request.row), maxNodes: limits.maxNodes });
}

/**
 * Validates the editor's flow with core's `parseFlow` (the same rules the server applies) and
 * reports the flow's input and output columns.
 */
import { inputColumns, outputColumns, parseFlow } from "@core/flow/parse";
import { ValidationError } from "@core/errors";
import type { Detail } from "./validation-display";

export interface FlowValidation {
  ok: boolean;
  details: Detail[];
  inputs: string[];
  outputs: string[];
}

export function validateFlow(flowJson: unknown, opts: { maxNodes?: number; columns?: string[] } = {}): FlowValidation {
  try {
    const flow = parseFlow(flowJson, opts);
    return { ok: true, details: [], inputs: inputColumns(flow), outputs: outputColumns(flow) };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, details: err.details ?? [{ path: "flow", message: err.message }], inputs: [], outputs: [] };
    return { ok: false, details: [{ path: "flow", message: err instanceof Error ? err.message : "invalid flow" }], inputs: [], outputs: [] };
  }
}

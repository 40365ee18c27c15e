/** How the local host puts an error into a structured log entry: its code and a short message. */
import { FlowcraftError } from "@flowcraft/core";

export function errorFields(err: unknown): { code: string; error: string } {
  if (err instanceof FlowcraftError) return { code: err.code, error: err.message };
  if (err instanceof Error) return { code: "internal", error: `${err.name}: ${err.message}` };
  return { code: "internal", error: typeof err === "string" ? err : "non-error thrown" };
}

/**
 * How the local host puts an error into a structured log entry: its code and a short message.
 * Messages of errors we did not build (SDK, network) are scrubbed: they can carry a key, also encoded.
 */
import { FlowcraftError, scrubSecrets } from "@flowcraft/core";

export function errorFields(err: unknown): { code: string; error: string } {
  if (err instanceof FlowcraftError) return { code: err.code, error: err.message };
  if (err instanceof Error) return { code: "internal", error: scrubSecrets(`${err.name}: ${err.message}`) };
  return { code: "internal", error: typeof err === "string" ? scrubSecrets(err) : "non-error thrown" };
}

/**
 * Firestore documents as the app's types: a `batch_jobs/{id}` document (every field of a Job but
 * its id) and a `results/{rowId}` document, parsed with core's schemas rather than cast. A document
 * that does not match (an older or newer server, a hand edit) becomes a `BackendError` that names
 * the document and the first fields that are wrong, which the watchers pass to their error
 * callback, instead of a crash deep in a component. Nested parts that evolve with the server
 * (`economy`) are parsed again where they are shown (lib/economy-view.ts).
 */
import { Job, RowResult } from "@core/batch/model";
import type { z } from "zod";
import { BackendError } from "./types";

/** The error for a document that does not match its schema (first three issues, with their paths). */
export function malformedDoc(path: string, error: z.ZodError): BackendError {
  const where = error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(document)"}: ${i.message}`)
    .join("; ");
  return new BackendError({ code: "internal", message: `The document ${path} is not in the shape this app reads (${where})`, retryable: false });
}

export function jobFromDoc(id: string, data: Record<string, unknown> | undefined): Job {
  // `economy` is kept as stored: economyOf parses it where it is shown, and a bad one only hides the layer panel.
  const { economy, ...rest } = data ?? {};
  const parsed = Job.safeParse({ ...rest, id });
  if (!parsed.success) throw malformedDoc(`batch_jobs/${id}`, parsed.error);
  return economy === undefined ? parsed.data : { ...parsed.data, economy: economy as Job["economy"] };
}

export function resultFromDoc(path: string, data: Record<string, unknown> | undefined): RowResult {
  const parsed = RowResult.safeParse(data);
  if (!parsed.success) throw malformedDoc(path, parsed.error);
  return parsed.data;
}

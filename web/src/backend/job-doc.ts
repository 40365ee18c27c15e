/**
 * Server data as the app's types, parsed with core's schemas rather than cast: a Firestore
 * `batch_jobs/{id}` document (every field of a Job but its id), a `results/{rowId}` document, and
 * the jobs and results in the local API's JSON (replies and live events) and in callable replies.
 * Data that does not match (an older or newer server, a hand edit) becomes a `BackendError` that
 * names where it came from and the first fields that are wrong, which callers throw or pass to
 * their error callback, instead of a crash deep in a component. Nested parts that evolve with the
 * server (`economy`) are parsed again where they are shown (lib/economy-view.ts).
 */
import { Job, RowResult } from "@core/batch/model";
import type { z } from "zod";
import { BackendError } from "./types";

/** The error for data that does not match its schema (first three issues, with their paths); `subject` says what it was. */
export function malformed(subject: string, error: z.ZodError): BackendError {
  const where = error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(whole value)"}: ${i.message}`)
    .join("; ");
  return new BackendError({ code: "internal", message: `${subject} is not in the shape this app reads (${where})`, retryable: false });
}

/** The error for a Firestore document that does not match its schema. */
export function malformedDoc(path: string, error: z.ZodError): BackendError {
  return malformed(`The document ${path}`, error);
}

/** A job from the server, or a `BackendError` (from `malformed(subject, …)`) when it is not one. */
export function parseJob(subject: string, data: unknown): Job {
  const fields = typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  // `economy` is kept as sent: economyOf parses it where it is shown, and a bad one only hides the layer panel.
  const { economy, ...rest } = fields ?? {};
  const parsed = Job.safeParse(fields ? rest : data);
  if (!parsed.success) throw malformed(subject, parsed.error);
  return economy === undefined ? parsed.data : { ...parsed.data, economy: economy as Job["economy"] };
}

/** A row result from the server, or a `BackendError` when it is not one. */
export function parseResult(subject: string, data: unknown): RowResult {
  const parsed = RowResult.safeParse(data);
  if (!parsed.success) throw malformed(subject, parsed.error);
  return parsed.data;
}

export function jobFromDoc(id: string, data: Record<string, unknown> | undefined): Job {
  return parseJob(`The document batch_jobs/${id}`, { ...data, id });
}

export function resultFromDoc(path: string, data: Record<string, unknown> | undefined): RowResult {
  return parseResult(`The document ${path}`, data);
}

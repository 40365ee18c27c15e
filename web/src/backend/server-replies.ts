/**
 * The replies that carry jobs and row results, from the local API (`{job}`, `{jobs}`, `{job, rows}`,
 * `{results, nextCursor}`) and from the callables that answer with a job, read field by field and
 * parsed with core's schemas (job-doc.ts) instead of cast: a reply of another shape becomes a
 * `BackendError` naming the request and the field, thrown to the caller like any failed request.
 */
import type { Job, RowResult } from "@core/batch/model";
import { parseJob, parseResult } from "./job-doc";
import { BackendError } from "./types";

/** Results, one page, and the cursor of the next page (null after the last). */
export interface ResultsPage {
  results: RowResult[];
  nextCursor: string | null;
}

function field(body: unknown, key: string): unknown {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[key] : undefined;
}

function wrongField(request: string, message: string): BackendError {
  return new BackendError({ code: "internal", message: `The reply of ${request} is not in the shape this app reads (${message})`, retryable: false });
}

/** `{job}`. `request` names the call, e.g. `POST /api/batches/j1/run` or `cancelBatch`. */
export function jobReply(request: string, body: unknown): Job {
  return parseJob(`The job in the reply of ${request}`, field(body, "job"));
}

/** `{job, rows}`: a retry or re-run, with the number of rows it queued. */
export function jobAndRowsReply(request: string, body: unknown): { job: Job; rows: number } {
  const rows = field(body, "rows");
  if (typeof rows !== "number" || !Number.isSafeInteger(rows) || rows < 0) throw wrongField(request, "rows: expected a row count");
  return { job: jobReply(request, body), rows };
}

/** `{jobs}`: the batch list. */
export function jobsReply(request: string, body: unknown): Job[] {
  const jobs = field(body, "jobs");
  if (!Array.isArray(jobs)) throw wrongField(request, "jobs: expected a list");
  return jobs.map((job, i) => parseJob(`Job ${i + 1} in the reply of ${request}`, job));
}

/** `{results, nextCursor}`: one page of row results. */
export function resultsPageReply(request: string, body: unknown): ResultsPage {
  const results = field(body, "results");
  const nextCursor = field(body, "nextCursor");
  if (!Array.isArray(results)) throw wrongField(request, "results: expected a list");
  if (nextCursor !== null && typeof nextCursor !== "string") throw wrongField(request, "nextCursor: expected a string or null");
  return { results: results.map((r, i) => parseResult(`Result ${i + 1} in the reply of ${request}`, r)), nextCursor };
}

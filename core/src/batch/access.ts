/** Loading a job on behalf of a caller: missing and foreign jobs look the same (not_found). */
import { PermanentError } from "../errors";
import type { Caller } from "./api";
import type { JobState } from "./state";

export function assertOwned(job: JobState | null, caller: Caller, jobId: string): JobState {
  if (!job || job.ownerId !== caller.ownerId) throw new PermanentError("not_found", `Batch ${jobId} was not found`);
  return job;
}

/**
 * Batch ids are single path segments of the characters every host generates (base62 or base64url).
 * A caller's id that is anything else cannot name a batch, and must never be joined into a store
 * path (`a/rows/00000` would address another document).
 */
const JOB_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Returns `jobId` when it could name a batch; otherwise `not_found`, saying what ids look like. */
export function checkJobId(jobId: unknown): string {
  // `__x__` is a reserved segment for Firestore (and so for every store): no batch can have it.
  if (typeof jobId === "string" && JOB_ID.test(jobId) && !/^__.*__$/.test(jobId)) return jobId;
  const shown = JSON.stringify(String(jobId).slice(0, 80));
  throw new PermanentError("not_found", `No batch has the id ${shown}: batch ids are 1 to 128 letters, digits, _ or -`);
}

export function preconditionFailed(message: string): PermanentError {
  return new PermanentError("failed_precondition", message);
}

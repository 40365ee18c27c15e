/** Loading a job on behalf of a caller: missing and foreign jobs look the same (not_found). */
import { PermanentError } from "../errors";
import type { Caller } from "./api";
import type { JobState } from "./state";

export function assertOwned(job: JobState | null, caller: Caller, jobId: string): JobState {
  if (!job || job.ownerId !== caller.ownerId) throw new PermanentError("not_found", `Batch ${jobId} was not found`);
  return job;
}

export function preconditionFailed(message: string): PermanentError {
  return new PermanentError("failed_precondition", message);
}

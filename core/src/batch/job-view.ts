/** The public view of a job document: the Job schema strips the internal bookkeeping fields. */
import { Job } from "./model";
import type { JobState } from "./state";

export function toPublicJob(job: JobState): Job {
  return Job.parse(job);
}

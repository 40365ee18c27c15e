/**
 * The last known state of jobs this tab created or opened, so a batch view can render at once
 * (before its live listener reports) and keep showing something if the listener cannot connect.
 */
import type { Job } from "../backend/types";

const jobs = new Map<string, Job>();

export function rememberJob(job: Job): void {
  jobs.set(job.id, job);
}

export function cachedJob(id: string): Job | null {
  return jobs.get(id) ?? null;
}

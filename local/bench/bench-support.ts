/** What the local benchmarks share: waiting for a job to end on a host. */
import { LOCAL_OWNER, type createLocalHost } from "../src/local-host";
import { isTerminal, type Job } from "@flowcraft/core";

/** Resolves with the job once it is terminal: on its event, with a slow poll as a safety net. */
export async function waitForEnd(host: ReturnType<typeof createLocalHost>, jobId: string): Promise<Job> {
  return new Promise<Job>((resolve, reject) => {
    let unsubscribe = (): void => {};
    const check = (job: Job): void => {
      if (!isTerminal(job.status)) return;
      clearInterval(timer);
      unsubscribe();
      resolve(job);
    };
    const timer = setInterval(() => void host.handlers.getJob(LOCAL_OWNER, jobId).then(check, reject), 500);
    unsubscribe = host.events.subscribe(jobId, (e) => e.type === "job" && check(e.job), { results: false });
    void host.handlers.getJob(LOCAL_OWNER, jobId).then(check, reject);
  });
}

/**
 * AI-call figures per job for the quota scenarios: which job a served call belongs to (rows of job
 * k carry the tag `(jk)` in their topic, so the prompt says), served calls per minute in the
 * steady state, and the ideal makespan under a quota shared by every job.
 */
import type { TextRequest } from "../ai/port";
import { idealMakespan } from "./metrics";

export interface JobCalls {
  /** Virtual times the provider served this job's calls. */
  servedAt: number[];
  /** Provider latency of each served call. */
  latencies: number[];
}

export function jobTag(k: number): string {
  return `(j${k})`;
}

export class CallLedger {
  readonly jobs: JobCalls[];
  constructor(jobs: number) {
    this.jobs = Array.from({ length: jobs }, () => ({ servedAt: [], latencies: [] }));
  }

  served(req: TextRequest, at: number, latencyMs: number): void {
    const m = /\(j(\d+)\)/.exec(req.prompt);
    const job = this.jobs[m?.[1] !== undefined ? Number(m[1]) : 0];
    if (!job) return;
    job.servedAt.push(at);
    job.latencies.push(latencyMs);
  }

  get totalServed(): number {
    return this.jobs.reduce((n, j) => n + j.servedAt.length, 0);
  }
}

/** Served calls per minute between 20% and 80% of [start, end]: ramp-up and tail left out. */
export function steadyCallsPerMin(servedAt: readonly number[], start: number, end: number): number {
  const span = end - start;
  if (span <= 0) return 0;
  const from = start + 0.2 * span;
  const to = start + 0.8 * span;
  const n = servedAt.filter((t) => t >= from && t < to).length;
  return (n * 60_000) / (to - from);
}

/**
 * Ideal makespan of one job: no schedule beats its calls' own latencies spread over C lanes, and
 * under a quota no schedule serves the calls of ALL jobs faster than the quota allows.
 */
export function quotaIdealMs(o: { latencies: number[]; concurrency: number; allCalls: number; quotaRpm?: number }): number {
  const lanes = idealMakespan(o.latencies, o.concurrency);
  return o.quotaRpm === undefined ? lanes : Math.max(lanes, (o.allCalls * 60_000) / o.quotaRpm);
}

/**
 * One batch on the real local host (SQLite store, queue and governor) with the real
 * `@google/genai` SDK against the fake Gemini server enforcing a per-model RPM quota. Used by the
 * quota test (small, non-timing assertions) and by `npm run bench:quota` (figures).
 */
import { DEFAULT_AIMD, DEFAULT_STATE_OPTIONS, GeminiAiService, isTerminal, type Job } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeGeminiServer, type QuotaStats } from "../../../core/test/support/fake-gemini-server";
import { textResponse } from "../../../core/test/support/gemini-responses";
import { LOCAL_OWNER, createLocalHost } from "../../src/local-host";
import { TEXT_FLOW } from "./flows";

export const QUOTA_MODEL = "gemini-2.5-flash";

export interface QuotaRunOptions {
  rows: number;
  concurrency: number;
  /** The provider's quota: requests per window (per minute when windowMs is 60 000). */
  quota: number;
  /** What the governor is told, in the same unit as `quota`. */
  told: number;
  windowMs: number;
  latencyMs: number;
  /**
   * Scale the governor's own time constants (1 s burst, AIMD growth of 20% of the limit per minute)
   * with the window, so a scaled-down run behaves like the real-time one. Off = the product's policy as is.
   */
  scaleGovernor?: boolean;
}

export interface QuotaRunResult {
  job: Job;
  stats: QuotaStats;
  /** Every generateContent request the server saw (admitted + 429). */
  calls: number;
  elapsedMs: number;
  /** Admitted calls per quota window over the run, start to end (the quota's own unit). */
  admittedPerWindow: number;
  /** The same from the first call to the last one answered: without the host's start and the job's creation and end. */
  callSpanPerWindow: number;
  /** The governor's adaptive rate at the end, in the quota's unit (undefined = back at the told limit). */
  effectivePerWindow: number | undefined;
  /** The same figures over the second half of the run (after the back-off had time to converge). */
  secondHalf: { calls: number; rejected: number; admittedPerWindow: number };
}

/** Runs one batch; the fake server and the host are created and closed here. */
export async function runQuotaBatch(o: QuotaRunOptions): Promise<QuotaRunResult> {
  const fake = await FakeGeminiServer.start();
  fake.script(":generateContent", textResponse("a line", { promptTokenCount: 12, candidatesTokenCount: 4, totalTokenCount: 16 }));
  fake.quota({ rpm: o.quota, windowMs: o.windowMs, latencyMs: o.latencyMs });
  const perMinute = 60_000 / o.windowMs;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-quota-"));
  const ai = new GeminiAiService({ apiKey: "AIzaSyFAKE-quota-run-key-000000000000000", baseUrl: fake.baseUrl });
  const scaled = {
    burstMs: DEFAULT_STATE_OPTIONS.burstMs / perMinute,
    aimd: { ...DEFAULT_AIMD, increasePerMinute: DEFAULT_AIMD.increasePerMinute * perMinute },
  };
  const host = createLocalHost({
    dataDir,
    ai,
    limits: { maxRows: Math.max(o.rows, 10) },
    modelLimits: { overrides: { [QUOTA_MODEL]: { rpm: o.told * perMinute } } },
    ...(o.scaleGovernor ? { governorState: scaled } : {}),
  });
  try {
    const rows = Array.from({ length: o.rows }, (_, i) => ({ topic: `topic ${i}` }));
    const started = performance.now();
    const created = await host.handlers.createJob({ ...LOCAL_OWNER, flow: TEXT_FLOW, columns: ["topic"], rows, concurrency: o.concurrency, start: true });
    const job = await waitForEnd(host, created.id);
    const elapsedMs = performance.now() - started;
    const stats = fake.quotaStats();
    const log = fake.quotaLog();
    const first = log[0]?.at ?? 0;
    const last = log[log.length - 1]?.at ?? first;
    const mid = (first + last) / 2;
    const late = log.filter((e) => e.at >= mid);
    const lateAdmitted = late.filter((e) => e.ok).length;
    const secondHalf = {
      calls: late.length,
      rejected: late.length - lateAdmitted,
      admittedPerWindow: last > mid ? (lateAdmitted * o.windowMs) / (last - mid) : 0,
    };
    const status = await host.governor.status(QUOTA_MODEL);
    return {
      job,
      stats,
      calls: stats.admitted + stats.rejected,
      elapsedMs,
      admittedPerWindow: (stats.admitted * o.windowMs) / elapsedMs,
      callSpanPerWindow: (stats.admitted * o.windowMs) / Math.max(1, last - first + o.latencyMs),
      effectivePerWindow: status.effectiveRpm === undefined ? undefined : status.effectiveRpm / perMinute,
      secondHalf,
    };
  } finally {
    await host.close();
    await fake.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitForEnd(host: ReturnType<typeof createLocalHost>, jobId: string): Promise<Job> {
  for (;;) {
    const job = await host.handlers.getJob(LOCAL_OWNER, jobId);
    if (isTerminal(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

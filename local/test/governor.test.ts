/**
 * The local host's governor: the shared conformance suite over the SQLite-backed governor, state
 * that survives a restart, the limit flags, and two batches at C=10 on the real local host sharing
 * one model capped at 10 calls at once.
 */
import { OfflineAiService, isTerminal, type AiService, type ImageRequest, type TextRequest, type VideoRequest } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeGovernorConformance, CONFORMANCE_START, ManualClock } from "@flowcraft/core/testing";
import { parseArgs, UsageError } from "../src/cli/args";
import { MODEL_LIMIT_OPTIONS, parseModelLimits } from "../src/cli/limit-flags";
import { LOCAL_OWNER, createLocalHost } from "../src/local-host";
import { openDb } from "../src/sqlite/open-db";
import { SqliteGovernor } from "../src/sqlite/sqlite-governor";
import { TEXT_FLOW } from "./support/flows";

describeGovernorConformance("sqlite", ({ clock, defaults }) => {
  const db = openDb(":memory:");
  const governor = new SqliteGovernor({ db, beforeWrite: () => {}, clock, defaults });
  const cleanup = (): void => {
    governor.close();
    db.close();
  };
  return { governor, cleanup };
});

const tmpDirs: string[] = [];
const tmpDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-governor-"));
  tmpDirs.push(dir);
  return dir;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("SqliteGovernor persistence", () => {
  it("keeps runtime limits, the adaptive rate, Retry-After and the daily count across a restart; flags win over what was kept", async () => {
    const dir = tmpDir();
    const clock = new ManualClock(CONFORMANCE_START);
    const defaults = { m: { rpm: 600, concurrency: 5 } };
    let db = openDb(dir);
    let g = new SqliteGovernor({ db, beforeWrite: () => {}, clock, defaults });
    await g.setLimits({ m: { rpd: 100 } });
    const a = await g.acquire({ model: "m", kind: "text", estimatedTokens: 1, maxDelayMs: 0 });
    if (a.kind !== "granted") throw new Error("setup");
    await g.report({ permit: a.permit, outcome: "rate_limited", retryAfterMs: 30_000 });
    g.close();
    db.close();

    db = openDb(dir);
    g = new SqliteGovernor({ db, beforeWrite: () => {}, clock, defaults, overrides: { m: { concurrency: 2 } } });
    const s = await g.status("m");
    expect(s.limits).toEqual({ rpm: 600, concurrency: 2, rpd: 100 });
    expect(s.effectiveRpm).toBeCloseTo(420, 5);
    expect(s.retryUntil).toBe(CONFORMANCE_START + 30_000);
    expect(s.dayCount).toBe(1);
    expect(s.inFlight).toBe(0);
    expect(await g.acquire({ model: "m", kind: "text", estimatedTokens: 1, maxDelayMs: 1_000 })).toMatchObject({ kind: "defer", reason: "retry_after" });
    g.close();
    db.close();
  });
});

describe("limit flags", () => {
  const parse = (argv: string[]) => parseModelLimits(parseArgs(argv, MODEL_LIMIT_OPTIONS).options);

  it("reads MODEL=N, repeated flags and comma lists into one table", () => {
    expect(parse(["--model-rpm", "a=600", "--model-rpm=b=100,*=50", "--model-concurrency", "a=10", "--model-tpm", "a=1000", "--model-rpd", "b=9"])).toEqual({
      a: { rpm: 600, concurrency: 10, tpm: 1000 },
      b: { rpm: 100, rpd: 9 },
      "*": { rpm: 50 },
    });
  });

  it.each([
    ["--model-rpm", "a"],
    ["--model-rpm", "a=0"],
    ["--model-concurrency", "a=1.5"],
    ["--model-tpm", "=5"],
  ])("rejects %s %s with a usage error", (flag, value) => {
    expect(() => parse([flag, value])).toThrow(UsageError);
  });
});

/** Counts calls in flight across every batch of the host. */
class CountingAi implements AiService {
  readonly name = "counting";
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly inner: AiService) {}
  private async track<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await call();
    } finally {
      this.inFlight -= 1;
    }
  }
  generateText(req: TextRequest) {
    return this.track(() => this.inner.generateText(req));
  }
  generateImage(req: ImageRequest) {
    return this.track(() => this.inner.generateImage(req));
  }
  generateVideo(req: VideoRequest) {
    return this.track(() => this.inner.generateVideo(req));
  }
}

async function runTwoBatches(modelLimits: Parameters<typeof createLocalHost>[0]["modelLimits"]): Promise<{ max: number; statuses: string[] }> {
  const ai = new CountingAi(new OfflineAiService({ latencyMs: 30 }));
  const host = createLocalHost({ dataDir: tmpDir(), ai, ...(modelLimits ? { modelLimits } : {}) });
  try {
    const rows = Array.from({ length: 60 }, (_, i) => ({ topic: `t${i}` }));
    const jobs = await Promise.all(
      [1, 2].map(() => host.handlers.createJob({ ...LOCAL_OWNER, flow: TEXT_FLOW, columns: ["topic"], rows, concurrency: 10, start: true })),
    );
    const statuses: string[] = [];
    for (const job of jobs) {
      for (let i = 0; i < 2_000; i++) {
        const j = await host.handlers.getJob(LOCAL_OWNER, job.id);
        if (isTerminal(j.status)) {
          statuses.push(`${j.status}:${j.completedRows}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return { max: ai.maxInFlight, statuses };
  } finally {
    await host.close();
  }
}

describe("two batches on one local host", () => {
  it("never run more than the model's concurrency of 10 calls at once, and both complete", async () => {
    const r = await runTwoBatches({ overrides: { "gemini-2.5-flash": { concurrency: 10 } } });
    expect(r.statuses).toEqual(["completed:60", "completed:60"]);
    expect(r.max).toBeLessThanOrEqual(10);
    expect(r.max).toBeGreaterThan(1);
  }, 60_000);

  it("without a limit the same two batches overlap past 10 (what the limit prevents)", async () => {
    const r = await runTwoBatches(undefined);
    expect(r.statuses).toEqual(["completed:60", "completed:60"]);
    expect(r.max).toBeGreaterThan(10);
  }, 60_000);
});

/**
 * The adaptive back-off against a quota counted as Gemini counts it (a sliding window, see
 * support/sliding-window-quota.ts), on a virtual clock: lanes run rows through `governedCall` and
 * the node retry as the engine does, a row that still fails goes back to the queue after its
 * Retry-After, and the MemoryGovernor (the local host's decisions) is told the quota or twice it.
 * The quota's time is scaled ×10 (120 requests per 6 s) with the governor's own constants, as
 * `npm run bench:quota` does. Figures are counts and virtual time only.
 */
import { RetryableError } from "../src/errors";
import { DEFAULT_AIMD } from "../src/governor/aimd";
import { governedCall } from "../src/governor/governed-call";
import { MemoryGovernor } from "../src/governor/memory-governor";
import { DEFAULT_STATE_OPTIONS } from "../src/governor/model-state";
import { DEFAULT_NODE_RETRY, withNodeRetry } from "../src/engine/node-retry";
import { ManualClock } from "../src/testing/manual-clock";
import { silentLogger } from "../src/logger";
import { SlidingWindowQuota } from "./support/sliding-window-quota";

const MODEL = "gemini-2.5-flash";
const QUOTA = 120;
const WINDOW_MS = 6_000;
const SCALE = 60_000 / WINDOW_MS;

interface Shape {
  rows: number;
  concurrency: number;
  /** What the governor is told, per window. */
  told: number;
}

interface Figures {
  calls: number;
  rejected: number;
  lateCalls: number;
  lateRejected: number;
  /** Admitted calls per window over the run. */
  admittedPerWindow: number;
}

async function runRows(shape: Shape): Promise<Figures> {
  const clock = new ManualClock(1_000_000);
  const quota = new SlidingWindowQuota({ rpm: QUOTA, windowMs: WINDOW_MS });
  const governor = new MemoryGovernor({
    clock,
    overrides: { [MODEL]: { rpm: shape.told * SCALE } },
    stateOptions: { burstMs: DEFAULT_STATE_OPTIONS.burstMs / SCALE, aimd: { ...DEFAULT_AIMD, increasePerMinute: DEFAULT_AIMD.increasePerMinute * SCALE } },
  });
  const provider = async (): Promise<void> => {
    const retryMs = quota.take(MODEL, clock.now());
    if (retryMs !== null) throw new RetryableError("rate_limited", "quota", Math.max(100, Math.ceil(retryMs / 100) * 100));
    await clock.sleep(50);
  };
  const call = (signal: AbortSignal) => () =>
    governedCall({ governor, clock, signal, maxWaitMs: 5_000, model: MODEL, kind: "text", estimatedTokens: 10, run: provider, tokensOf: () => 10 });
  const requeued: number[] = [];
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    const signal = new AbortController().signal;
    while (done < shape.rows) {
      const row = requeued.shift() ?? (next < shape.rows ? next++ : undefined);
      if (row === undefined) {
        await clock.sleep(50);
        continue;
      }
      const out = await withNodeRetry(call(signal), { policy: DEFAULT_NODE_RETRY, clock, logger: silentLogger, key: `row-${row}`, signal });
      if (out.ok) done++;
      else clock.schedule(Math.max(1_000, (out.error as RetryableError).retryAfterMs ?? 0), () => requeued.push(row));
    }
  };
  const lanes = Promise.all(Array.from({ length: shape.concurrency }, lane));
  await clock.runUntilIdle();
  await lanes;
  const log = quota.log;
  const first = log[0]?.at ?? 0;
  const last = log[log.length - 1]?.at ?? first;
  const late = log.filter((e) => e.at >= (first + last) / 2);
  return {
    calls: log.length,
    rejected: quota.stats.rejected,
    lateCalls: late.length,
    lateRejected: late.filter((e) => !e.ok).length,
    admittedPerWindow: (quota.stats.admitted * WINDOW_MS) / Math.max(1, last - first + 50),
  };
}

describe("AIMD against a sliding-window quota (virtual clock)", () => {
  it.each([
    { rows: 600, concurrency: 20 },
    { rows: 1_200, concurrency: 20 },
    { rows: 1_200, concurrency: 50 },
  ])("told twice the quota, $rows rows at C=$concurrency: under 5% of calls get a 429 once converged, at 85% of the quota", async ({ rows, concurrency }) => {
    const f = await runRows({ rows, concurrency, told: 2 * QUOTA });
    expect(f.lateRejected / f.lateCalls).toBeLessThan(0.05);
    expect(f.rejected / f.calls).toBeLessThan(0.05);
    expect(f.admittedPerWindow).toBeGreaterThanOrEqual(0.85 * QUOTA);
  });

  it("told the quota: at most 2% of calls get a 429, at 85% of the quota", async () => {
    const f = await runRows({ rows: 600, concurrency: 20, told: QUOTA });
    expect(f.rejected / f.calls).toBeLessThanOrEqual(0.02);
    expect(f.admittedPerWindow).toBeGreaterThanOrEqual(0.85 * QUOTA);
  });
});

describe("governedCall and a 429 that overtakes a reservation", () => {
  it("hands the reservation back and sends it after the Retry-After, not inside it", async () => {
    const clock = new ManualClock(1_000_000);
    const governor = new MemoryGovernor({ clock, overrides: { [MODEL]: { rpm: 60 } } });
    const signal = new AbortController().signal;
    const sentAt: number[] = [];
    let first = true;
    const run = (): Promise<void> => {
      sentAt.push(clock.now());
      if (!first) return Promise.resolve();
      first = false;
      return Promise.reject(new RetryableError("rate_limited", "quota", 4_000));
    };
    const call = () =>
      governedCall({ governor, clock, signal, maxWaitMs: 10_000, model: MODEL, kind: "text", estimatedTokens: 10, run, tokensOf: () => 10 }).catch(() => "429");
    // 60/min with 1 s of burst: two start at once (the first gets the 429), the third is reserved 1 s on.
    const calls = Promise.all([call(), call(), call()]);
    await clock.runUntilIdle();
    expect(await calls).toEqual(["429", undefined, undefined]);
    const start = 1_000_000;
    expect(sentAt.filter((t) => t > start && t < start + 4_000)).toEqual([]);
    expect(sentAt).toHaveLength(3);
    expect(sentAt[2]).toBeGreaterThanOrEqual(start + 4_000);
  });
});

/**
 * The governor in the seeded virtual-time simulation (deterministic, so the ratios are exact for a
 * seed): C=50 rows of ~3 s against a provider quota of 600 RPM, with the governor told the quota,
 * told twice the quota (AIMD must find it), and three jobs sharing it. The governor is the
 * store-backed one (the Firebase host's) over the simulated Firestore, so its writes are counted;
 * the row queue's own limits (Cloud Tasks rate and concurrency) are modelled at the deployed defaults.
 */
import { DEPLOYED_ROW_QUEUE_LIMITS } from "../src/ports/task-queue";
import { runScenario, type ScenarioOptions } from "../src/sim/scenario";

const base: ScenarioOptions = { rows: 1_200, concurrency: 50, latencyMs: 3_000, latencySigma: 0.5, faults: "none", seed: 3, quotaRpm: 600 };

function share429(r: { ai429s: number; aiCalls: number }): number {
  return r.ai429s / r.aiCalls;
}

describe("governor in the simulator (quota 600 RPM, C=50)", () => {
  it("told the quota: at least 540 calls/min and at most 2% 429s; every row counted once", async () => {
    const r = await runScenario(base);
    expect(r.aiCallsPerMin).toBeGreaterThanOrEqual(540);
    expect(share429(r)).toBeLessThanOrEqual(0.02);
    expect(r).toMatchObject({ countedOnce: true, stuckRows: 0, failedRows: 0 });
    expect(r.perJob).toHaveLength(1);
    expect(r.perJob[0]?.efficiency).toBeGreaterThan(0.9);
    // The store governor's budget, measured on the simulated Firestore's write log.
    expect(r.governorWritesPerCall).not.toBeNull();
    expect(r.governorWritesPerCall).toBeLessThanOrEqual(0.2);
    expect(r.maxDocWritesPerSec).toBeLessThanOrEqual(1.1);
  }, 60_000);

  it("told twice the quota: the adaptive rate converges, at least 510 calls/min and under 5% 429s", async () => {
    const r = await runScenario({ ...base, configuredRpm: 1_200 });
    expect(r.configuredRpm).toBe(1_200);
    expect(r.aiCallsPerMin).toBeGreaterThanOrEqual(510);
    expect(r.ai429s).toBeGreaterThan(0);
    expect(share429(r)).toBeLessThan(0.05);
    expect(r).toMatchObject({ countedOnce: true, stuckRows: 0, failedRows: 0 });
  }, 60_000);

  it("three jobs sharing the quota get calls/min within ±15% of each other, and no row fails", async () => {
    const r = await runScenario({ ...base, rows: 500, jobs: 3 });
    const rates = r.perJob.map((j) => j.aiCallsPerMin);
    expect(rates).toHaveLength(3);
    expect(Math.max(...rates) / Math.min(...rates)).toBeLessThanOrEqual(1.15);
    expect(r.aiCallsPerMin).toBeGreaterThanOrEqual(540);
    expect(r).toMatchObject({ countedOnce: true, stuckRows: 0, failedRows: 0 });
  }, 120_000);

  it("with standard faults the quota replaces only the random 429s: permanent failures stay about 2%", async () => {
    const r = await runScenario({ ...base, rows: 600, faults: "standard" });
    expect(r.ai429s).toBe(0);
    expect(r.failedRows / r.rows).toBeLessThan(0.05);
    expect(r).toMatchObject({ countedOnce: true, stuckRows: 0 });
  }, 60_000);

  it("without a quota or a configured rate no governor runs and the report says so", async () => {
    const { quotaRpm: _quota, ...unlimited } = base;
    const r = await runScenario({ ...unlimited, rows: 100 });
    expect(r).toMatchObject({ quotaRpm: null, configuredRpm: null, ai429s: 0, jobs: 1, governorWritesPerCall: null });
  }, 60_000);
});

describe("the row queue's own limits in the simulator", () => {
  const small: ScenarioOptions = { rows: 120, concurrency: 20, latencyMs: 2_000, latencySigma: 0, faults: "none", seed: 2 };

  it("defaults to the deployed limits, which do not bind at C=50 (ideal within a few %)", async () => {
    const r = await runScenario({ ...small, rows: 500, concurrency: 50 });
    expect(r).toMatchObject({
      queueMaxPerSecond: DEPLOYED_ROW_QUEUE_LIMITS.maxDispatchesPerSecond,
      queueMaxConcurrent: DEPLOYED_ROW_QUEUE_LIMITS.maxConcurrentDispatches,
    });
    expect(r.queue.throttled).toBe(0);
    expect(r.maxInFlight).toBe(50);
    expect(r.efficiency).toBeGreaterThan(0.93);
  }, 60_000);

  it("a concurrent-dispatch cap below the job's concurrency caps the rows running at once", async () => {
    const r = await runScenario({ ...small, queueMaxConcurrent: 5 });
    expect(r.queueMaxConcurrent).toBe(5);
    expect(r.queue.maxRunning).toBeLessThanOrEqual(5);
    expect(r.maxInFlight).toBeLessThanOrEqual(5);
    expect(r.queue.throttled).toBeGreaterThan(0);
    expect(r).toMatchObject({ countedOnce: true, stuckRows: 0 });
  }, 60_000);

  it("a dispatch rate of 1/s stretches the run to about one row per second (the old rows/s cap's effect)", async () => {
    const r = await runScenario({ ...small, queueMaxPerSecond: 1 });
    expect(r.queueMaxPerSecond).toBe(1);
    // 120 rows need at least ~120 dispatches (lane hops are tasks too) at 1/s.
    expect(r.makespanMs).toBeGreaterThanOrEqual(110_000);
    expect(r.efficiency).toBeLessThan(0.15);
    expect(r).toMatchObject({ countedOnce: true, stuckRows: 0 });
  }, 60_000);
});

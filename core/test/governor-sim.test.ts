/**
 * The governor in the seeded virtual-time simulation (deterministic, so the ratios are exact for a
 * seed): C=50 rows of ~3 s against a provider quota of 600 RPM, with the governor told the quota,
 * told twice the quota (AIMD must find it), and three jobs sharing it.
 */
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
    expect(r).toMatchObject({ quotaRpm: null, configuredRpm: null, ai429s: 0, jobs: 1 });
  }, 60_000);
});

/**
 * The budget cap in the seeded virtual-time simulation (faults on: crashes, duplicates, 429s,
 * permanent failures): with a flat price per call the batch pauses with `budget`, and what it spent
 * stays within budget + C × the price of a row (one call per row here), every row counted once.
 */
import { runScenario, type ScenarioOptions } from "../src/sim/scenario";

const base: ScenarioOptions = {
  rows: 1_500,
  concurrency: 50,
  latencyMs: 3_000,
  latencySigma: 0.5,
  faults: "standard",
  seed: 1,
  budgetUsd: 5,
  pricePerCallUsd: 0.01,
};

describe("budget cap in the simulator", () => {
  it.each([1, 2, 3])(
    "seed %i: pauses with budget, spentUsd ≤ budget + C × a row",
    async (seed) => {
      const r = await runScenario({ ...base, seed });
      expect(r).toMatchObject({ status: "paused", pausedReason: "budget", countedOnce: true, stuckRows: 0, budgetUsd: 5, pricePerCallUsd: 0.01 });
      expect(r.perJob[0]?.status).toBe("paused");
      expect(r.spentUsd).toBeLessThanOrEqual(5 + 50 * 0.01);
      // Stopped by the budget, not long before it: within the reserve of the rows in flight.
      expect(r.spentUsd).toBeGreaterThanOrEqual(5 - 50 * 0.01);
      expect(r.completedRows + r.failedRows).toBeLessThan(1_500);
    },
    60_000,
  );

  it("three jobs with a budget each all pause with budget, each within its bound", async () => {
    const r = await runScenario({ ...base, rows: 600, jobs: 3, budgetUsd: 2 });
    expect(r.perJob.map((j) => j.status)).toEqual(["paused", "paused", "paused"]);
    expect(r.spentUsd).toBeLessThanOrEqual(3 * (2 + 50 * 0.01));
    expect(r.countedOnce).toBe(true);
  }, 60_000);

  it("without a budget the flat price is what the calls cost", async () => {
    const { budgetUsd: _none, ...unbudgeted } = base;
    const r = await runScenario({ ...unbudgeted, rows: 300, faults: "none" });
    expect(r).toMatchObject({ status: "completed", pausedReason: null, budgetUsd: null, countedOnce: true });
    expect(r.spentUsd).toBeCloseTo(300 * 0.01, 9);
  }, 60_000);
});

/**
 * The simulator's economy mode: a 3-layer text flow in virtual time, economy beside realtime. The
 * layers run one after another through one provider job each, no text call goes realtime, the
 * bill is half, and the outputs equal the realtime run's.
 */
import { runEconomyScenario } from "../src/sim/economy-scenario";

const OPTIONS = { rows: 20, layers: 3, concurrency: 5, latencyMs: 1_000, batchDelayMs: 600_000, pollIntervalMs: 60_000 };

describe("economy scenario (3 layers)", () => {
  it("reports makespan and provider jobs; half the cost and the same outputs as realtime", async () => {
    const r = await runEconomyScenario(OPTIONS);
    expect(r.economy.providerJobs).toBe(3);
    expect(r.economy.realtimeTextCalls).toBe(0);
    expect(r.realtime.textCalls).toBe(60);
    expect(r.outputsEqual).toBe(true);
    expect(r.costRatio).toBe(0.5);
    expect(r.economy.layerMs.every((ms) => ms >= OPTIONS.batchDelayMs)).toBe(true);
    expect(r.economy.makespanMs).toBeGreaterThanOrEqual(3 * OPTIONS.batchDelayMs);
    expect(r.realtime.makespanMs).toBe((20 / 5) * 3 * 1_000);
  });

  it("is deterministic: the same options give the same report", async () => {
    expect(await runEconomyScenario(OPTIONS)).toEqual(await runEconomyScenario(OPTIONS));
  });
});

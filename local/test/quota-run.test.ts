/**
 * A local batch on the real SDK against a fake Gemini server enforcing an RPM quota (scaled down
 * to a 2 s window): the governor keeps what it sends within the quota when told the truth, and
 * when told twice the quota it meets 429s, cuts the model's rate, and still finishes every row.
 * Counts only; the throughput figures come from `npm run bench:quota`.
 */
import "../../core/test/support/jest-undici-shim";
import { runQuotaBatch } from "./support/quota-run";

const BASE = { rows: 60, concurrency: 10, quota: 20, windowMs: 2_000, latencyMs: 10 };
/** GCRA lets one second of the rate through as a burst (model-state.ts, burstMs), plus a little slack for requests in transit. */
const BURST = Math.ceil(BASE.quota * (1_000 / BASE.windowMs)) + 2;

describe("a local batch against a Gemini RPM quota", () => {
  it("told the real quota: every row succeeds and no window sees more than the quota plus the burst", async () => {
    const r = await runQuotaBatch({ ...BASE, told: BASE.quota });
    expect(r.job).toMatchObject({ status: "completed", completedRows: 60, failedRows: 0 });
    expect(r.stats.maxSentPerWindow).toBeLessThanOrEqual(BASE.quota + BURST);
    // A lane group may run a row a second time when two steals take it while it runs (it is counted
    // once: core/ARCHITECTURE.md, "Groups of short rows"), so one extra admitted call can happen.
    expect(r.stats.admitted).toBeGreaterThanOrEqual(60);
    expect(r.stats.admitted).toBeLessThanOrEqual(61);
  }, 60_000);

  it("told twice the quota: 429s happen, the governor cuts the rate, and every row still succeeds", async () => {
    const r = await runQuotaBatch({ ...BASE, told: 2 * BASE.quota });
    expect(r.job).toMatchObject({ status: "completed", completedRows: 60, failedRows: 0 });
    expect(r.stats.rejected).toBeGreaterThan(0);
    // A lane group may run a row a second time when two steals take it while it runs (it is counted
    // once: core/ARCHITECTURE.md, "Groups of short rows"), so one extra admitted call can happen.
    expect(r.stats.admitted).toBeGreaterThanOrEqual(60);
    expect(r.stats.admitted).toBeLessThanOrEqual(61);
    expect(r.effectivePerWindow).toBeDefined();
    expect(r.effectivePerWindow!).toBeLessThan(2 * BASE.quota);
  }, 60_000);
});

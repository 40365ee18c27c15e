/**
 * The simulator end to end: deterministic by seed, the report's invariants hold under faults, and
 * the CLI prints the fixed JSON report as its last stdout line.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { runScenario, type SimReport } from "../src/sim/scenario";

const base = { rows: 300, concurrency: 10, latencyMs: 1500, latencySigma: 0.8, seed: 7 } as const;
const stable = (r: SimReport) => ({ ...r, realMs: 0 });

describe("simulator", () => {
  test("the same seed gives the same run; another seed a different one", async () => {
    const a = await runScenario({ ...base, faults: "standard" });
    const b = await runScenario({ ...base, faults: "standard" });
    const c = await runScenario({ ...base, faults: "standard", seed: 8 });
    expect(stable(a)).toEqual(stable(b));
    expect(c.makespanMs).not.toBe(a.makespanMs);
  });

  test("under standard faults every row is counted once, nothing is stuck, the bound holds", async () => {
    const r = await runScenario({ ...base, faults: "standard" });
    expect(r).toMatchObject({ status: "completed", countedOnce: true, stuckRows: 0, terminalTransitions: 1 });
    expect(r.maxInFlight).toBeLessThanOrEqual(base.concurrency);
    expect(r.completedRows + r.failedRows).toBe(base.rows);
    expect(r.queue.duplicates).toBeGreaterThan(0);
    expect(r.queue.crashes).toBeGreaterThan(0);
    expect(r.failedRows).toBeGreaterThan(0);
    // work-conserving lanes beat waiting for whole groups on the same occupancies
    expect(r.efficiency).toBeGreaterThan(r.compare.groupDispatch);
  });

  test("without faults nothing fails, nothing is duplicated, the lanes stay full", async () => {
    const r = await runScenario({ ...base, faults: "none" });
    expect(r).toMatchObject({ completedRows: base.rows, failedRows: 0, countedOnce: true, stuckRows: 0 });
    expect(r.queue).toMatchObject({ duplicates: 0, crashes: 0, retries: 0 });
    expect(r.maxInFlight).toBe(base.concurrency);
  });

  test("the CLI's last stdout line is the JSON report with the fixed fields", () => {
    const root = path.resolve(__dirname, "../..");
    const out = execFileSync(
      process.execPath,
      [
        "scripts/run-ts.js",
        "core/src/sim/cli.ts",
        "--rows",
        "60",
        "--concurrency",
        "4",
        "--latency-ms",
        "500",
        "--latency-sigma",
        "0",
        "--faults",
        "none",
        "--seed",
        "3",
        "--queue-max-per-second",
        "7",
        "--queue-max-concurrent",
        "3",
        "--json",
      ],
      { cwd: root, encoding: "utf8" },
    );
    const lines = out.trim().split("\n");
    expect(lines.length).toBeGreaterThan(1);
    const report = JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
    for (const key of [
      "rows",
      "concurrency",
      "seed",
      "makespanMs",
      "idealMakespanMs",
      "efficiency",
      "maxInFlight",
      "maxDocWritesPerSec",
      "writesPerRow",
      "readsPerRow",
      "completedRows",
      "failedRows",
      "countedOnce",
      "stuckRows",
      "compare",
      "aiCalls",
      "ai429s",
      "aiCallsPerMin",
      "perJob",
      "queueMaxPerSecond",
      "queueMaxConcurrent",
      "governorWritesPerCall",
    ]) {
      expect(report).toHaveProperty(key);
    }
    expect(report).toMatchObject({
      rows: 60,
      concurrency: 4,
      seed: 3,
      countedOnce: true,
      stuckRows: 0,
      queueMaxPerSecond: 7,
      queueMaxConcurrent: 3,
      governorWritesPerCall: null,
    });
    expect(report.maxInFlight).toBeLessThanOrEqual(3);
    expect(report.compare).toEqual({ groupDispatch: expect.any(Number) as number, strideChains: expect.any(Number) as number });
  });
});

describe("lane groups in the simulator", () => {
  test("short rows commit in groups (several rows per result commit), long rows one per commit, counted once", async () => {
    const short = await runScenario({ rows: 200, concurrency: 4, latencyMs: 50, latencySigma: 0, faults: "none", seed: 1 });
    expect(short).toMatchObject({ countedOnce: true, stuckRows: 0, completedRows: 200 });
    expect(short.rowsPerResultCommit).toBeGreaterThan(2);
    expect(short.maxInFlight).toBeLessThanOrEqual(4);
    const long = await runScenario({ rows: 20, concurrency: 4, latencyMs: 3_000, latencySigma: 0, faults: "none", seed: 1 });
    expect(long).toMatchObject({ countedOnce: true, stuckRows: 0, rowsPerResultCommit: 1 });
  });
});

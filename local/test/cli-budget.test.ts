/**
 * `flowcraft-batch run … --budget-usd X` as a child process: a run the budget pauses writes the
 * results so far and exits 4; with --json the summary says status "paused", pausedReason "budget",
 * and the spend stays within the budget plus the rows in flight (concurrency × one row).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOCAL, buildBundles, runNode } from "./support/child";
import { TEXT_FLOW, csvOf } from "./support/flows";

const CLI = path.join(LOCAL, "dist/cli.js");
let dir: string;
let flowFile: string;
let rowsFile: string;

beforeAll(() => buildBundles());
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-cli-budget-"));
  flowFile = path.join(dir, "flow.json");
  fs.writeFileSync(flowFile, JSON.stringify(TEXT_FLOW));
  rowsFile = path.join(dir, "rows.csv");
  fs.writeFileSync(rowsFile, csvOf(Array.from({ length: 30 }, (_, i) => `topic ${i}`)));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Summary {
  status: string;
  pausedReason?: string;
  completedRows: number;
  failedRows: number;
  costUsd: number;
}

const lastJson = (stdout: string): Summary => JSON.parse(stdout.trim().split("\n").pop()!) as Summary;

describe("run --budget-usd", () => {
  it("pauses on the budget: results so far written, exit 4, JSON status paused / budget", async () => {
    // One offline row on gemini-2.5-flash costs a few millionths of a dollar: find it first.
    const one = await runNode(CLI, ["run", flowFile, rowsFile, "--json", "--concurrency", "1"]);
    expect(one.code).toBe(0);
    const full = lastJson(one.stdout);
    const perRow = full.costUsd / 30;
    expect(perRow).toBeGreaterThan(0);
    const budget = 5.5 * perRow;
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--json", "--concurrency", "2", "--budget-usd", String(budget)]);
    expect(r.code).toBe(4);
    const s = lastJson(r.stdout);
    expect(s).toMatchObject({ status: "paused", pausedReason: "budget", failedRows: 0 });
    expect(s.completedRows).toBeGreaterThan(0);
    expect(s.completedRows).toBeLessThan(30);
    expect(s.costUsd).toBeLessThanOrEqual(budget + 2 * perRow * 1.5);
    expect(r.stderr).toContain("paused: the budget was reached.");
    const lines = fs.readFileSync(path.join(dir, "rows.results.csv"), "utf8").trim().split(/\r?\n/);
    expect(lines).toHaveLength(31);
    expect(lines.filter((l) => l.includes(",succeeded,"))).toHaveLength(s.completedRows);
    expect(lines.filter((l) => l.includes(",pending,"))).toHaveLength(30 - s.completedRows);
  });

  it("refuses a budget that is not a positive amount (exit 2)", async () => {
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--budget-usd", "-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--budget-usd must be an amount in USD above 0");
  });

  it("refuses a hex or binary amount rather than reading 0x10 as $16 (exit 2)", async () => {
    for (const bad of ["0x10", "0b1"]) {
      const r = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--budget-usd", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--budget-usd must be an amount in USD above 0");
    }
  });
});

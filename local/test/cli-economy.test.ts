/**
 * `flowcraft-batch run --economy --provider gemini` end to end as a child process, the real
 * @google/genai SDK against the fake Gemini server's Batch API in this process: a 40-row,
 * two-layer text flow makes exactly one provider batch job per layer and not one realtime call,
 * and ends like the same run without --economy (same results file apart from cost and duration,
 * same exit code, same summary line and JSON summary apart from cost, which is half). The fake
 * answers realtime and batch requests alike (an echo of the prompt). FLOWCRAFT_ECONOMY_POLL_MS
 * makes the polls quick; a bad value is a usage error.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseCsv } from "@flowcraft/core";
import { FakeBatchApi } from "../../core/test/support/fake-batch-api";
import { useFakeGeminiServer } from "../../core/test/support/use-fake-gemini-server";
import { LOCAL, buildBundles, runNode, type ChildResult } from "./support/child";
import { TWO_LAYER_FLOW, csvOf } from "./support/flows";

const CLI = path.join(LOCAL, "dist/cli.js");
const ROWS = 40;
const fake = useFakeGeminiServer();
let dir: string;
let flowFile: string;
let rowsFile: string;

beforeAll(() => buildBundles());
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-cli-eco-"));
  flowFile = path.join(dir, "flow.json");
  rowsFile = path.join(dir, "rows.csv");
  fs.writeFileSync(flowFile, JSON.stringify(TWO_LAYER_FLOW));
  fs.writeFileSync(rowsFile, csvOf(Array.from({ length: ROWS }, (_, i) => `topic number ${i}`)));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  GEMINI_API_KEY: "AIzaSyFAKE-cli-economy-key-00000000000",
  GOOGLE_GEMINI_BASE_URL: fake().baseUrl,
  ...extra,
});

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

/** The results file as records (header → cell). */
function readResults(file: string): Record<string, string>[] {
  return parseCsv(fs.readFileSync(file, "utf8")).rows;
}

/** The stderr summary line, without its elapsed time and spend. */
function summaryLine(stderr: string): string {
  const line = stderr.split("\n").find((l) => / succeeded, \d+ failed of \d+ rows in /.test(l));
  if (!line) throw new Error(`no summary line in:\n${stderr}`);
  return line.replace(/ in [\d.]+ s, \$[\d.]+ spent$/, "");
}

async function run(mode: "economy" | "realtime"): Promise<{ r: ChildResult; out: string }> {
  const out = path.join(dir, `${mode}.results.csv`);
  const flags = mode === "economy" ? ["--economy"] : [];
  const r = await runNode(
    CLI,
    ["run", flowFile, rowsFile, "--provider", "gemini", "--json", "--concurrency", "8", "--out", out, ...flags],
    env({ FLOWCRAFT_ECONOMY_POLL_MS: "50" }),
  );
  return { r, out };
}

describe("run --economy against the Gemini Batch API", () => {
  it("sends every text call through one provider job per layer and ends like the realtime run, at half the cost", async () => {
    const batchApi = new FakeBatchApi({ pollsToFinish: 2 }).install(fake()).installRealtime(fake());

    const economy = await run("economy");
    expect(economy.r.stderr).toContain("economy mode: text steps go through provider batch jobs");
    expect(economy.r.code).toBe(0);
    // Every text call went through batch jobs: one create per layer (one model, 40 small rows).
    expect(fake().requestsTo(":generateContent")).toHaveLength(0);
    const creates = fake().requestsTo(":batchGenerateContent");
    expect(creates).toHaveLength(2);
    expect([...batchApi.jobs.values()].map((j) => [j.requests.length, j.state])).toEqual([
      [ROWS, "SUCCEEDED"],
      [ROWS, "SUCCEEDED"],
    ]);

    const realtime = await run("realtime");
    expect(realtime.r.code).toBe(0);
    expect(fake().requestsTo(":generateContent")).toHaveLength(2 * ROWS);
    expect(fake().requestsTo(":batchGenerateContent")).toHaveLength(2);
    expect(realtime.r.stderr).not.toContain("economy mode");

    // Same results file apart from cost (half) and duration.
    const eco = readResults(economy.out);
    const rt = readResults(realtime.out);
    const strip = (rows: Record<string, string>[]) => rows.map(({ costUsd: _c, durationMs: _d, ...rest }) => rest);
    expect(eco).toHaveLength(ROWS);
    expect(strip(eco)).toEqual(strip(rt));
    expect(eco[7]).toMatchObject({ topic: "topic number 7", line: "echo: Shorten: echo: Write one line about topic number 7.", status: "succeeded" });
    eco.forEach((row, i) => expect(Number(row.costUsd)).toBeCloseTo(Number(rt[i]!.costUsd) / 2, 9));

    // Same summary (line and JSON) apart from the cost.
    expect(summaryLine(economy.r.stderr)).toBe(summaryLine(realtime.r.stderr));
    expect(summaryLine(economy.r.stderr)).toBe(`completed: ${ROWS} succeeded, 0 failed of ${ROWS} rows`);
    const { costUsd: ecoCost, durationMs: _e, jobId: _j1, out: _o1, ...ecoSummary } = lastJson(economy.r.stdout);
    const { costUsd: rtCost, durationMs: _r, jobId: _j2, out: _o2, ...rtSummary } = lastJson(realtime.r.stdout);
    expect(ecoSummary).toEqual(rtSummary);
    expect(ecoSummary).toMatchObject({ status: "completed", totalRows: ROWS, completedRows: ROWS, failedRows: 0 });
    expect(ecoCost as number).toBeGreaterThan(0);
    expect(ecoCost as number).toBeCloseTo((rtCost as number) / 2, 9);
  });

  it.each([
    [{ FLOWCRAFT_ECONOMY_POLL_MS: "0" }, /FLOWCRAFT_ECONOMY_POLL_MS must be a whole number of milliseconds from 1 to 86400000 \(got "0"\)/],
    [{ FLOWCRAFT_ECONOMY_POLL_MS: "1.5s" }, /FLOWCRAFT_ECONOMY_POLL_MS must be a whole number/],
    [{ FLOWCRAFT_ECONOMY_MAX_POLL_MS: "-5" }, /FLOWCRAFT_ECONOMY_MAX_POLL_MS must be a whole number/],
    [
      { FLOWCRAFT_ECONOMY_POLL_MS: "500", FLOWCRAFT_ECONOMY_MAX_POLL_MS: "100" },
      /FLOWCRAFT_ECONOMY_MAX_POLL_MS \(100\) must not be below FLOWCRAFT_ECONOMY_POLL_MS \(500\)/,
    ],
  ])("refuses %p with exit 2 before anything runs", async (bad, message) => {
    new FakeBatchApi().install(fake()).installRealtime(fake());
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--economy", "--provider", "gemini"], env(bad));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fake().requests).toHaveLength(0);
    expect(fs.existsSync(path.join(dir, "rows.results.csv"))).toBe(false);
  });
});

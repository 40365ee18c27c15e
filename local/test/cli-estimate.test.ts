/**
 * `flowcraft-batch run … --estimate` as a child process: prints the estimate (one JSON line with
 * --json), exits 0, writes no results file, and makes no generation call: against a fake Gemini
 * server on the real SDK, which counts every request, only `:countTokens` arrives.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeGeminiServer } from "../../core/test/support/fake-gemini-server";
import { textResponse } from "../../core/test/support/gemini-responses";
import { LOCAL, buildBundles, runNode } from "./support/child";
import { TEXT_FLOW, csvOf } from "./support/flows";

const CLI = path.join(LOCAL, "dist/cli.js");
let dir: string;
let flowFile: string;
let rowsFile: string;

beforeAll(() => buildBundles());
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-cli-estimate-"));
  flowFile = path.join(dir, "flow.json");
  fs.writeFileSync(flowFile, JSON.stringify(TEXT_FLOW));
  rowsFile = path.join(dir, "rows.csv");
  fs.writeFileSync(rowsFile, csvOf(["a", "b", "c", "d"]));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const resultsFile = (): string => path.join(dir, "rows.results.csv");

describe("run --estimate", () => {
  it("offline: one JSON line with low/expected/high cost and time, exit 0, nothing written", async () => {
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--json", "--concurrency", "2"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const est = JSON.parse(lines[0]!) as { rows: number; calls: number; costUsd: Record<string, number>; durationMs: Record<string, number> };
    expect(est).toMatchObject({ rows: 4, calls: 4 });
    expect(Object.keys(est.costUsd)).toEqual(["low", "expected", "high"]);
    expect(est.durationMs.expected).toBeGreaterThan(0);
    expect(fs.existsSync(resultsFile())).toBe(false);
  });

  it("reads a CSV of more than 10,000 rows and many reads (multi-line quoted cells, characters split between reads)", async () => {
    // Lines of 20 bytes after the header, each with a two-byte "é": read boundaries land inside some.
    const body = Array.from({ length: 12_000 }, (_, i) => (i % 1000 === 0 ? `"l${i}\né"` : `é${String(i).padStart(17, "0")}`)).join("\n");
    fs.writeFileSync(rowsFile, `topic\n${body}\n`);
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim()) as unknown).toMatchObject({ rows: 12_000, calls: 12_000 });
  });

  it("with --budget-usd says whether the budget covers the estimate (and carries it in the JSON line), exit 0", async () => {
    const tiny = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--budget-usd", "0.0000001"]);
    expect(tiny.code).toBe(0);
    expect(tiny.stdout).toContain("budget         $0.0000001: below the expected cost; the run would likely pause on the budget");
    const big = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--json", "--budget-usd", "1000"]);
    expect(big.code).toBe(0);
    expect(JSON.parse(big.stdout.trim())).toMatchObject({ rows: 4, budgetUsd: 1000 });
    expect(fs.existsSync(resultsFile())).toBe(false);
  });

  describe("gemini through the real SDK", () => {
    let fake: FakeGeminiServer;
    beforeEach(async () => {
      fake = await FakeGeminiServer.start();
    });
    afterEach(async () => {
      await fake.close();
    });
    const env = (): Record<string, string> => ({ GEMINI_API_KEY: "test-key-123", GOOGLE_GEMINI_BASE_URL: fake.baseUrl });

    it("counts the prompts with :countTokens and makes no generation call", async () => {
      fake.script(":countTokens", ...Array.from({ length: 4 }, () => ({ json: { totalTokens: 1_000 } })));
      const r = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate"], env());
      expect(r.code).toBe(0);
      expect(fake.requestsTo(":countTokens")).toHaveLength(4);
      expect(fake.requests.filter((q) => !q.path.endsWith(":countTokens"))).toEqual([]);
      expect(r.stdout).toContain("estimate: 4 rows, 4 AI calls");
      expect(r.stdout).toContain("input tokens   4,000 (counted by gemini)");
      expect(r.stdout).toMatch(/cost +low \$[\d.]+ · expected \$[\d.]+ · high \$[\d.]+/);
      expect(fs.existsSync(resultsFile())).toBe(false);
    });

    it("--dry-run-rows K makes exactly K rows of real calls and reports their cost", async () => {
      fake.script(":countTokens", ...Array.from({ length: 4 }, () => ({ json: { totalTokens: 10 } })));
      fake.script(":generateContent", textResponse("dry", { promptTokenCount: 10, candidatesTokenCount: 20, totalTokenCount: 30 }));
      const r = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--dry-run-rows", "1", "--json"], env());
      expect(r.code).toBe(0);
      expect(fake.requestsTo(":generateContent")).toHaveLength(1);
      const est = JSON.parse(r.stdout.trim()) as { dryRun: { rows: number; costUsd: number }; outputTokens: { expected: number } };
      expect(est.dryRun.rows).toBe(1);
      expect(est.dryRun.costUsd).toBeGreaterThan(0);
      expect(est.outputTokens.expected).toBe(4 * 20);
    });

    it("--dry-run-rows without --estimate is a usage error (exit 2), nothing called", async () => {
      const r = await runNode(CLI, ["run", flowFile, rowsFile, "--dry-run-rows", "1"], env());
      expect(r.code).toBe(2);
      expect(fake.requests).toHaveLength(0);
    });
  });
});

/**
 * Economy mode demo: `flowcraft-batch run` as a child process with the gemini provider, pointed at
 * the fake Gemini server (Batch API and realtime calls, both echoing the prompt) in this process,
 * on a two-layer text flow, once with --economy and once without. Prints for each: exit code,
 * rows succeeded, cost, wall time, realtime `:generateContent` calls and Batch API creates and
 * polls, then the cost ratio and whether the results files agree (cost and duration aside).
 * Usage: npm run demo:economy -- [--rows 40] [--poll-ms 50]
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseCsv } from "@flowcraft/core";
import { FakeBatchApi } from "../../core/test/support/fake-batch-api";
import { FakeGeminiServer } from "../../core/test/support/fake-gemini-server";
import { cleanEnv } from "../test/support/child";
import { TWO_LAYER_FLOW, csvOf } from "../test/support/flows";
import { numberFlag } from "./bench-flags";

// run-ts.js runs this bundled from node_modules/.cache/flowcraft.
const ROOT = path.resolve(__dirname, "../../..");

interface Outcome {
  code: number | null;
  ms: number;
  summary: Record<string, unknown>;
  rows: Record<string, string>[];
  realtimeCalls: number;
  creates: number;
  polls: number;
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "local/dist/cli.js"), ...args], {
      env: { ...cleanEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function readResults(file: string): Record<string, string>[] {
  return parseCsv(fs.readFileSync(file, "utf8")).rows;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rows = numberFlag(argv, "rows", 40, "positive-integer");
  const pollMs = numberFlag(argv, "poll-ms", 50, "positive-integer");
  // The CLI bundle the package runs, rebuilt first so the demo shows the current code.
  if (spawnSync(process.execPath, [path.join(ROOT, "local/bin/build.js")], { stdio: "inherit" }).status !== 0)
    throw new Error("building the local host failed");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-demo-economy-"));
  const fake = await FakeGeminiServer.start();
  try {
    const flowFile = path.join(dir, "flow.json");
    const rowsFile = path.join(dir, "rows.csv");
    fs.writeFileSync(flowFile, JSON.stringify(TWO_LAYER_FLOW));
    fs.writeFileSync(rowsFile, csvOf(Array.from({ length: rows }, (_, i) => `topic number ${i}`)));
    const env = { GEMINI_API_KEY: "AIzaSyFAKE-demo-economy-key-0000000000", GOOGLE_GEMINI_BASE_URL: fake.baseUrl, FLOWCRAFT_ECONOMY_POLL_MS: String(pollMs) };
    const outcome = async (mode: "economy" | "realtime"): Promise<Outcome> => {
      fake.reset();
      new FakeBatchApi({ pollsToFinish: 2 }).install(fake).installRealtime(fake);
      const out = path.join(dir, `${mode}.results.csv`);
      const started = Date.now();
      const flags = mode === "economy" ? ["--economy"] : [];
      const r = await runCli(["run", flowFile, rowsFile, "--provider", "gemini", "--json", "--out", out, ...flags], env);
      const ms = Date.now() - started;
      if (r.code !== 0) process.stderr.write(r.stderr);
      const last = r.stdout.trim().split("\n").pop() ?? "{}";
      return {
        code: r.code,
        ms,
        summary: JSON.parse(last) as Record<string, unknown>,
        rows: fs.existsSync(out) ? readResults(out) : [],
        realtimeCalls: fake.requestsTo(/:generateContent$/).length,
        creates: fake.requestsTo(/:batchGenerateContent$/).length,
        polls: fake.requests.filter((q) => q.method === "GET" && /^\/v1beta\/batches\/[^/:]+$/.test(q.path)).length,
      };
    };
    const economy = await outcome("economy");
    const realtime = await outcome("realtime");
    for (const [name, o] of [
      ["economy", economy],
      ["realtime", realtime],
    ] as const) {
      const s = o.summary;
      process.stdout.write(
        `${name.padEnd(8)} exit ${o.code}  ${String(s.completedRows)}/${String(s.totalRows)} succeeded  cost $${String(s.costUsd)}  ${o.ms} ms  ` +
          `realtime calls ${o.realtimeCalls}  batch creates ${o.creates}  polls ${o.polls}\n`,
      );
    }
    const strip = (list: Record<string, string>[]) => list.map(({ costUsd: _c, durationMs: _d, ...rest }) => rest);
    const same = JSON.stringify(strip(economy.rows)) === JSON.stringify(strip(realtime.rows)) && economy.rows.length === rows;
    const ratio = Number(economy.summary.costUsd) / Number(realtime.summary.costUsd);
    process.stdout.write(`cost ratio economy / realtime ${ratio.toFixed(3)}; results equal (cost and duration aside): ${same ? "yes" : "no"}\n`);
    if (!same || economy.code !== 0 || realtime.code !== 0 || economy.realtimeCalls !== 0) process.exitCode = 1;
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();

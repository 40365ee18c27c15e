/**
 * CLI scale benchmark. Runs `flowcraft-batch run` as a child process (offline provider, latency 0)
 * on a small and a large CSV of 3 columns, in one run, and prints for each: exit code, result rows
 * (checked in order), wall time and peak RSS, then time(large) / time(small). Usage:
 *   npm run bench:cli-scale -- [--rows 100000] [--small 10000] [--concurrency 50] [--cell-bytes 20]
 * The linear bound is rows(large) / rows(small); the target is a ratio of at most 1.2× that.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { TEXT_FLOW } from "../test/support/flows";
import { numberFlag } from "./bench-flags";

interface ScaleArgs {
  rows: number;
  small: number;
  concurrency: number;
  cellBytes: number;
}

function parseArgs(argv: string[]): ScaleArgs {
  const get = (name: string, dflt: number): number => numberFlag(argv, name, dflt, "positive-integer");
  return { rows: get("rows", 100_000), small: get("small", 10_000), concurrency: get("concurrency", 50), cellBytes: get("cell-bytes", 20) };
}

/** `topic,a,b`: the flow reads `topic`; the other columns ride along into the results. */
function writeCsv(file: string, rows: number, cellBytes: number): void {
  const fd = fs.openSync(file, "w");
  const pad = "x".repeat(Math.max(0, cellBytes - 8));
  fs.writeSync(fd, "topic,a,b\n");
  let buf = "";
  for (let i = 0; i < rows; i++) {
    buf += `t${i},a${pad},b${pad}\n`;
    if (buf.length > 1 << 16) {
      fs.writeSync(fd, buf);
      buf = "";
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

/** Reports the child's peak RSS on exit (KiB, from getrusage). */
const RSS_HOOK = `process.on("exit", () => { require("node:fs").writeSync(2, "\\npeak-rss-kib " + process.resourceUsage().maxRSS + "\\n"); });\n`;

interface RunOutcome {
  rows: number;
  code: number | null;
  ms: number;
  rssMiB: number;
  resultRows: number;
  inOrder: boolean;
}

/** Counts data lines of the results CSV and checks the `topic` cells come back t0, t1, ... */
function checkResults(file: string): { resultRows: number; inOrder: boolean } {
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  const header = lines.shift()?.split(",") ?? [];
  const col = header.indexOf("topic");
  let inOrder = col !== -1;
  lines.forEach((line, i) => {
    if (inOrder && line.split(",")[col] !== `t${i}`) inOrder = false;
  });
  return { resultRows: lines.length, inOrder };
}

function runCli(cli: string, hook: string, dir: string, rows: number, a: ScaleArgs): RunOutcome {
  const csv = path.join(dir, `rows-${rows}.csv`);
  const out = path.join(dir, `rows-${rows}.results.csv`);
  writeCsv(csv, rows, a.cellBytes);
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ["--require", hook, cli, "run", path.join(dir, "flow.json"), csv, "--provider", "offline", "--concurrency", String(a.concurrency), "--out", out],
    {
      env: { ...process.env, FLOWCRAFT_OFFLINE_LATENCY_MS: "0" },
      encoding: "utf8",
      maxBuffer: 64 << 20,
    },
  );
  const ms = performance.now() - started;
  const rss = /peak-rss-kib (\d+)/.exec(child.stderr)?.[1];
  if (child.status !== 0) process.stderr.write(child.stderr.slice(-2000));
  return {
    rows,
    code: child.status,
    ms,
    rssMiB: rss ? Number(rss) / 1024 : NaN,
    ...(fs.existsSync(out) ? checkResults(out) : { resultRows: 0, inOrder: false }),
  };
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-cli-scale-"));
  try {
    // The CLI bundle the package runs, rebuilt first so the figures are of the current code.
    const root = path.resolve(__dirname, "../../..");
    const built = spawnSync(process.execPath, [path.join(root, "local/bin/build.js")], { stdio: "inherit" });
    if (built.status !== 0) throw new Error("building the local host failed");
    const cli = path.join(root, "local/dist/main.js");
    const hook = path.join(dir, "rss-hook.cjs");
    fs.writeFileSync(hook, RSS_HOOK);
    fs.writeFileSync(path.join(dir, "flow.json"), JSON.stringify(TEXT_FLOW));
    const results = [a.small, a.rows].map((n) => runCli(cli, hook, dir, n, a));
    for (const r of results) {
      console.log(
        `${r.rows} rows: exit ${r.code}, ${r.resultRows} result rows${r.inOrder ? " in order" : " NOT in order"}, ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.rssMiB.toFixed(0)} MiB`,
      );
    }
    const [small, large] = results as [RunOutcome, RunOutcome];
    const ratio = large.ms / small.ms;
    console.log(
      `time(${large.rows}) / time(${small.rows}) = ${ratio.toFixed(2)} (linear: ${(large.rows / small.rows).toFixed(1)}; target ≤ ${((large.rows / small.rows) * 1.2).toFixed(1)})`,
    );
    const ok = results.every((r) => r.code === 0 && r.resultRows === r.rows && r.inOrder);
    process.exitCode = ok ? 0 : 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

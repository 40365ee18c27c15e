/**
 * `npm run sim:economy -- --rows N --layers L --concurrency C --latency-ms MS --batch-delay-ms MS
 * [--poll-ms MS] [--json]`: the economy mode beside realtime for a chain of L text nodes (see
 * economy-scenario.ts). Prints a summary; with --json the LAST stdout line is the report.
 */
import { type EconomyReport, runEconomyScenario } from "./economy-scenario";

function num(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`--${name} must be a positive number`);
  return v;
}

function summary(r: EconomyReport): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `rows ${r.rows}, ${r.layers} text layers`,
    `economy: makespan ${s(r.economy.makespanMs)} (per layer ${r.economy.layerMs.map(s).join(", ")}), provider jobs ${r.economy.providerJobs}, polls ${r.economy.polls}, realtime text calls ${r.economy.realtimeTextCalls}, $${r.economy.costUsd}`,
    `realtime: makespan ${s(r.realtime.makespanMs)}, text calls ${r.realtime.textCalls}, $${r.realtime.costUsd}`,
    `cost economy/realtime ${r.costRatio}, makespan economy/realtime ${r.makespanRatio}, outputs equal: ${r.outputsEqual}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const report = await runEconomyScenario({
    rows: num(argv, "rows", 200),
    layers: num(argv, "layers", 3),
    concurrency: num(argv, "concurrency", 10),
    latencyMs: num(argv, "latency-ms", 2_000),
    batchDelayMs: num(argv, "batch-delay-ms", 30 * 60_000),
    pollIntervalMs: num(argv, "poll-ms", 60_000),
  });
  process.stdout.write(`${summary(report)}\n`);
  if (argv.includes("--json")) process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * `npm run sim -- --rows N --concurrency C --latency-ms MEAN --latency-sigma S --faults standard|none
 * --seed K [--json]`: runs the scenario and prints a summary; with --json the LAST stdout line is
 * the report as one JSON object.
 */
import { runScenario, type ScenarioOptions, type SimReport } from "./scenario";

function parseArgs(argv: string[]): ScenarioOptions & { json: boolean } {
  const get = (name: string, dflt: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : dflt;
  };
  const num = (name: string, dflt: number): number => {
    const v = Number(get(name, String(dflt)));
    if (!Number.isFinite(v)) throw new Error(`--${name} must be a number`);
    return v;
  };
  const faults = get("faults", "standard");
  if (faults !== "standard" && faults !== "none") throw new Error("--faults must be standard or none");
  return {
    rows: num("rows", 1000),
    concurrency: num("concurrency", 10),
    latencyMs: num("latency-ms", 2000),
    latencySigma: num("latency-sigma", 0.5),
    faults,
    seed: num("seed", 1),
    json: argv.includes("--json"),
  };
}

function summary(r: SimReport): string {
  return [
    `rows ${r.rows}, concurrency ${r.concurrency}, latency mean ${r.latencyMs} ms sigma ${r.latencySigma}, faults ${r.faults}, seed ${r.seed}`,
    `status ${r.status}: ${r.completedRows} succeeded, ${r.failedRows} failed, stuck ${r.stuckRows}, counted once ${r.countedOnce}`,
    `makespan ${(r.makespanMs / 1000).toFixed(1)} s vs ideal ${(r.idealMakespanMs / 1000).toFixed(1)} s → efficiency ${r.efficiency}`,
    `  (same occupancies) groups of C: ${r.compare.groupDispatch}, stride chains: ${r.compare.strideChains}`,
    `max in flight ${r.maxInFlight} (limit ${r.concurrency}); busiest doc ${r.maxDocWritesPerSec} writes/s (${r.busiestDoc})`,
    `writes/row ${r.writesPerRow}, reads/row ${r.readsPerRow}; queue ${JSON.stringify(r.queue)}`,
    `simulated in ${(r.realMs / 1000).toFixed(1)} s of real time`,
  ].join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const report = await runScenario(args);
  process.stdout.write(`${summary(report)}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * `npm run sim -- --rows N --concurrency C --latency-ms MEAN --latency-sigma S --faults standard|none
 * --seed K [--quota-rpm N] [--configured-rpm N] [--jobs K] [--queue-max-per-second N]
 * [--queue-max-concurrent N] [--budget-usd X] [--price-per-call-usd P] [--contention on|off] [--tail] [--json]`:
 * runs the scenario and prints
 * a summary; with --json the LAST stdout line is the report as one JSON object.
 */
import { runScenario, type ScenarioOptions, type SimReport } from "./scenario";
import type { TailReport } from "./tail";

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
  const contention = get("contention", "on");
  if (contention !== "on" && contention !== "off") throw new Error("--contention must be on or off");
  return {
    rows: num("rows", 1000),
    concurrency: num("concurrency", 10),
    latencyMs: num("latency-ms", 2000),
    latencySigma: num("latency-sigma", 0.5),
    faults,
    seed: num("seed", 1),
    ...optionalNum(argv, "quota-rpm", "quotaRpm"),
    ...optionalNum(argv, "configured-rpm", "configuredRpm"),
    ...optionalNum(argv, "jobs", "jobs"),
    ...optionalNum(argv, "queue-max-per-second", "queueMaxPerSecond"),
    ...optionalNum(argv, "queue-max-concurrent", "queueMaxConcurrent"),
    ...optionalNum(argv, "budget-usd", "budgetUsd"),
    ...optionalNum(argv, "price-per-call-usd", "pricePerCallUsd"),
    contention: contention === "on",
    tail: argv.includes("--tail"),
    json: argv.includes("--json"),
  };
}

/** An optional positive number flag: absent → nothing, so the scenario's defaults apply. */
function optionalNum<K extends string>(argv: string[], name: string, key: K): Partial<Record<K, number>> {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return {};
  const v = Number(argv[i + 1]);
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`--${name} must be a positive number`);
  return { [key]: v } as Partial<Record<K, number>>;
}

function summary(r: SimReport): string {
  return [
    `rows ${r.rows}, concurrency ${r.concurrency}, latency mean ${r.latencyMs} ms sigma ${r.latencySigma}, faults ${r.faults}, seed ${r.seed}`,
    `status ${r.status}: ${r.completedRows} succeeded, ${r.failedRows} failed, stuck ${r.stuckRows}, counted once ${r.countedOnce}`,
    `makespan ${(r.makespanMs / 1000).toFixed(1)} s vs ideal ${(r.idealMakespanMs / 1000).toFixed(1)} s → efficiency ${r.efficiency}`,
    `  (same occupancies) groups of C: ${r.compare.groupDispatch}, stride chains: ${r.compare.strideChains}`,
    `max in flight ${r.maxInFlight} (limit ${r.concurrency}); busiest doc ${r.maxDocWritesPerSec} writes/s (${r.busiestDoc})`,
    r.contention
      ? `contention: ${r.contention.contendedCommits} contended commits, ${r.contention.aborts} aborted attempts, ${(r.contention.delayMs / 1000).toFixed(1)} s waited`
      : "contention: not modelled",
    `writes/row ${r.writesPerRow}, reads/row ${r.readsPerRow}; queue ${JSON.stringify(r.queue)}`,
    `queue limits ${r.queueMaxPerSecond}/s, ${r.queueMaxConcurrent} at once; governor writes per AI call ${r.governorWritesPerCall ?? "n/a (no governor)"}`,
    `AI calls ${r.aiCalls}, 429s ${r.ai429s} (${r.aiCalls > 0 ? ((100 * r.ai429s) / r.aiCalls).toFixed(2) : "0"}%), served ${r.aiCallsPerMin}/min steady (quota ${r.quotaRpm ?? "none"}, governor told ${r.configuredRpm ?? "nothing"})`,
    ...r.perJob.map((j) => `  job ${j.jobId}: ${j.status}, efficiency ${j.efficiency}, ${j.aiCallsPerMin} calls/min`),
    `spent $${r.spentUsd}${r.budgetUsd !== null ? ` of a $${r.budgetUsd} budget` : ""}${r.pricePerCallUsd !== null ? ` at $${r.pricePerCallUsd} a call` : ""}${r.pausedReason ? `; paused: ${r.pausedReason}` : ""}`,
    ...(r.tail ? tailLines(r.tail) : []),
    `simulated in ${(r.realMs / 1000).toFixed(1)} s of real time`,
  ].join("\n");
}

function tailLines(t: TailReport): string[] {
  const rows = t.lastLaneRows.map(
    (x) => `${x.row}@${(x.startMs / 1000).toFixed(1)}s+${x.ms}ms${x.attempt > 0 ? `#${x.attempt}` : ""}${x.status === "succeeded" ? "" : `:${x.status}`}`,
  );
  return [
    `lane time: ${t.runningS} s running rows, ${t.busyNotRunningS} s busy between rows, ${t.idleS} s idle (${t.tailIdleS} s of it after the first lane ran its last row)`,
    `first lane done at ${(t.firstLaneDoneMs / 1000).toFixed(1)} s, last row ended at ${(t.lastRowEndMs / 1000).toFixed(1)} s in ${t.lastLane}: ${rows.join(" ")}`,
  ];
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

/**
 * A local batch against a Gemini RPM quota, on the real SDK and the real SQLite governor: the fake
 * Gemini server (core/test/support/fake-gemini-server.ts) answers 429 RESOURCE_EXHAUSTED with a
 * RetryInfo delay beyond the quota, and the same batch runs twice, with the governor told the
 * quota and then twice the quota. Prints, side by side, the share of calls that got a 429 and the
 * throughput (admitted calls per minute of the quota), over the whole run and its second half.
 *
 *   npm run bench:quota -- [--rows 600] [--concurrency 20] [--quota 120] [--latency-ms 50] [--window-ms 6000]
 *
 * Time is scaled down so a run takes about a minute: with `--window-ms 6000` the server admits
 * `--quota` requests per 6 s instead of per minute (the same shape, ten times faster), the
 * governor is told the matching per-minute rate (quota × 60 000 / window) and its own time
 * constants (1 s burst, AIMD growth per minute) are scaled alike, and the figures are given in the
 * quota's unit ("per window"); `--window-ms 60000` runs at real speed with the policy as shipped.
 * A run must span several windows (rows ≥ 3 × quota) for the quota to bind at all.
 *
 * Then the targets, each with its figure and "met" or "MISSED": told twice the quota, under 5% of
 * the second half's calls get a 429; told the quota, at most 2% of all calls; both at 85% of the
 * quota or more. Throughput there counts from the first call to the last one answered: the
 * "of quota" column also counts the host's start and the job's creation, which a shared machine
 * can stretch.
 */
import { runQuotaBatch, type QuotaRunOptions, type QuotaRunResult } from "../test/support/quota-run";
import { numberFlag } from "./bench-flags";

const option = (argv: string[], name: string, dflt: number): number => numberFlag(argv, name, dflt, "positive");

const pct = (n: number, d: number): string => `${d === 0 ? "0.0" : ((100 * n) / d).toFixed(1)}%`;

function line(told: string, q: number, r: QuotaRunResult): string {
  const h = r.secondHalf;
  const cells = [
    told.padEnd(10),
    String(r.calls).padStart(6),
    String(r.stats.rejected).padStart(6),
    pct(r.stats.rejected, r.calls).padStart(7),
    r.admittedPerWindow.toFixed(1).padStart(9),
    pct(r.admittedPerWindow, q).padStart(8),
    pct(h.rejected, h.calls).padStart(9),
    h.admittedPerWindow.toFixed(1).padStart(9),
    `${r.job.completedRows}/${r.job.totalRows}`.padStart(9),
    (r.elapsedMs / 1000).toFixed(1).padStart(7),
  ];
  return cells.join(" ");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quota = option(argv, "quota", 120);
  const base: Omit<QuotaRunOptions, "told"> = {
    rows: option(argv, "rows", 600),
    concurrency: option(argv, "concurrency", 20),
    quota,
    windowMs: option(argv, "window-ms", 6_000),
    latencyMs: option(argv, "latency-ms", 50),
    scaleGovernor: true,
  };
  const scale = 60_000 / base.windowMs;
  // Under a few windows of calls the sliding window never fills and no 429 can happen.
  if (base.rows < 3 * quota) console.log(`note: ${base.rows} rows is under 3 quota windows of calls (${3 * quota}); the quota hardly binds. Use more rows.`);
  console.log(
    `quota ${quota} requests per ${base.windowMs / 1000} s window (${quota * scale} real requests/min; time and governor policy scaled ×${scale}), ` +
      `${base.rows} rows, C=${base.concurrency}, fake latency ${base.latencyMs} ms, real @google/genai SDK, SQLite governor`,
  );
  console.log(
    [
      "told".padEnd(10),
      "calls".padStart(6),
      "429s".padStart(6),
      "429 %".padStart(7),
      "ok/window".padStart(9),
      "of quota".padStart(8),
      "late 429%".padStart(9),
      "late ok/w".padStart(9),
      "rows ok".padStart(9),
      "secs".padStart(7),
    ].join(" "),
  );
  const checks: string[] = [];
  for (const told of [quota, 2 * quota]) {
    const r = await runQuotaBatch({ ...base, told });
    console.log(line(`${told} (${told === quota ? "=" : "2×"})`, quota, r));
    checks.push(...targetChecks(told === quota, quota, r));
  }
  console.log("ok/window: admitted calls per quota window (= calls/min at real scale); late: the run's second half.");
  for (const c of checks) console.log(c);
}

/** The targets, each with the figure measured and whether it is met. */
function targetChecks(toldQuota: boolean, quota: number, r: QuotaRunResult): string[] {
  const mark = (ok: boolean): string => (ok ? "met" : "MISSED");
  const share = r.callSpanPerWindow / quota;
  const throughput = `throughput ≥ 85% of the quota (first call to last): ${pct(r.callSpanPerWindow, quota)} ${mark(share >= 0.85)}`;
  if (toldQuota) {
    const s = r.calls === 0 ? 0 : r.stats.rejected / r.calls;
    return [`target, told the quota: 429s ≤ 2%: ${pct(r.stats.rejected, r.calls)} ${mark(s <= 0.02)}; ${throughput}`];
  }
  const h = r.secondHalf;
  const late = h.calls === 0 ? 0 : h.rejected / h.calls;
  return [
    `target, told 2×: second-half 429s < 5%: ${pct(h.rejected, h.calls)} ${mark(late < 0.05)} (overall ${pct(r.stats.rejected, r.calls)}); ${throughput}`,
  ];
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

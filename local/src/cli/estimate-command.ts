/**
 * `flowcraft-batch run … --estimate`: the batch's estimate (cost and time, low / expected / high)
 * instead of a run. Prints it (one JSON line with --json) and exits 0. No generation call is made
 * (the provider's token counter is used) unless --dry-run-rows K asks for a dry run of K rows. The
 * host lives in a temporary data directory, removed afterwards: nothing is kept.
 */
import { SAMPLE_ROWS, formatUsd, jsonLogger, reservoirSample, type BatchEstimate, type EstimateRange, type RowSource } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOCAL_OWNER, createLocalHost } from "../local-host";
import type { ProviderChoice } from "./provider";
import type { CliIo } from "./run-command";
import type { modelLimitsFor } from "./limit-flags";

export interface EstimatePlan {
  /** The rows are read as a stream; the estimate gets a seeded sample of them and their count. */
  inputs: { flow: unknown; columns: string[]; source: RowSource };
  concurrency: number | undefined;
  dryRunRows: number | undefined;
  /** `--budget-usd`: the estimate says whether it covers the cost (the run would pause on it otherwise). */
  budgetUsd?: number;
  provider: ProviderChoice;
  modelLimits: ReturnType<typeof modelLimitsFor>;
  json: boolean;
}

export async function estimateCommand(plan: EstimatePlan, io: CliIo): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-estimate-"));
  const host = createLocalHost({ dataDir, ai: plan.provider.ai, logger: jsonLogger("error"), modelLimits: plan.modelLimits });
  try {
    const { flow, columns, source } = plan.inputs;
    const { sample, count } = await reservoirSample(source.open(), SAMPLE_ROWS, 1);
    const estimate = await host.handlers.estimateBatch(LOCAL_OWNER, {
      flow,
      columns,
      rows: sample,
      totalRows: count,
      ...(plan.concurrency !== undefined ? { concurrency: plan.concurrency } : {}),
      ...(plan.dryRunRows !== undefined ? { dryRunRows: plan.dryRunRows } : {}),
    });
    const out = plan.budgetUsd !== undefined ? { ...estimate, budgetUsd: plan.budgetUsd } : estimate;
    io.stdout.write(plan.json ? `${JSON.stringify(out)}\n` : describeEstimate(estimate, plan.provider.name, plan.budgetUsd));
    return 0;
  } finally {
    await host.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const range = (r: EstimateRange, f: (n: number) => string): string => `low ${f(r.low)} · expected ${f(r.expected)} · high ${f(r.high)}`;
const int = (n: number): string => Math.round(n).toLocaleString("en-US");

export function formatMinutes(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Whether a budget covers the estimate, in words (the run pauses with reason `budget` when it does not). */
export function budgetVerdict(budgetUsd: number, cost: EstimateRange): string {
  const b = formatUsd(budgetUsd);
  if (budgetUsd >= cost.high) return `${b}: covers even the high figure`;
  if (budgetUsd >= cost.expected) return `${b}: covers the expected cost but not the high figure; the run may pause on the budget`;
  return `${b}: below the expected cost; the run would likely pause on the budget before the last row`;
}

export function describeEstimate(e: BatchEstimate, provider: string, budgetUsd?: number): string {
  const counter = e.tokenCounter === "provider" ? `counted by ${provider}` : "approximated at 4 characters per token";
  const lines = [
    `estimate: ${int(e.rows)} rows, ${int(e.calls)} AI calls${e.sampled ? ` (prompts of ${e.sampleRows} sampled rows, scaled up)` : ""}`,
    `  input tokens   ${int(e.inputTokens)} (${counter})`,
    `  output tokens  ${range(e.outputTokens, int)}`,
    `  cost           ${range(e.costUsd, formatUsd)} (prices ${e.priceTableVersion})`,
    `  economy cost   ${e.economyCostUsd ? `${range(e.economyCostUsd, formatUsd)} (--economy: batched text calls at the batch price, image / video steps and the text steps below them at the standard price; results can take up to 24 h)` : "n/a (economy mode has nothing to batch: no text step goes through a provider batch job)"}`,
    `  time           ${range(e.durationMs, formatMinutes)}`,
    ...e.perNode.map(
      (n) =>
        `  node ${n.nodeId} (${n.type}, ${n.model}): ${int(n.calls)} calls, ${formatUsd(n.costUsd.expected)} expected${n.priced ? "" : " (no price for this model: counted as $0)"}`,
    ),
  ];
  if (budgetUsd !== undefined) lines.push(`  budget         ${budgetVerdict(budgetUsd, e.costUsd)}`);
  if (e.dryRun) lines.push(`  dry run        ${e.dryRun.rows} rows, ${e.dryRun.failedRows} failed, ${formatUsd(e.dryRun.costUsd)} spent`);
  return `${lines.join("\n")}\n`;
}

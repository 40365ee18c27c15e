/**
 * Raising the budget of a batch the budget paused (pure): what it spent of what, a suggested new
 * budget, the check of what the user typed, and a refused resume (409) in words.
 */
import type { Job } from "@core/batch/model";
import type { ErrorInfo } from "@core/errors";
import { formatUsd, parseUsd } from "@core/governor/format-usd";

type BudgetJob = Pick<Job, "costUsd" | "budgetUsd" | "totalRows" | "completedRows" | "failedRows">;

/** "Spent $0.0123 of its $0.02 budget." (or of no budget, when the cap was removed meanwhile). */
export function spentLine(job: BudgetJob): string {
  const spent = formatUsd(job.costUsd);
  return job.budgetUsd === null ? `Spent ${spent}; the batch has no budget now.` : `Spent ${spent} of its ${formatUsd(job.budgetUsd)} budget.`;
}

/** Round up to a figure people type: whole cents from a cent up, else three significant digits. */
function roundUpUsd(usd: number): number {
  if (usd >= 0.01) return Math.ceil(usd * 100) / 100;
  const step = 10 ** (Math.floor(Math.log10(usd)) - 2);
  return Number((Math.ceil(usd / step) * step).toPrecision(3));
}

/**
 * A budget that covers the rows left at the average cost of a finished row so far, with a tenth
 * more for variation; never below twice the old budget's spend when no row has finished yet.
 */
export function suggestedBudget(job: BudgetJob): number {
  const done = job.completedRows + job.failedRows;
  const left = Math.max(0, job.totalRows - done);
  const perRow = done > 0 ? job.costUsd / done : 0;
  const base = Math.max(job.costUsd, job.budgetUsd ?? 0);
  const wanted = perRow > 0 ? job.costUsd + perRow * left * 1.1 : base * 2;
  return roundUpUsd(Math.max(wanted, base * 1.01, 0.01));
}

export type BudgetInput = { ok: true; usd: number } | { ok: false; message: string };

/** What the user typed as the new budget: a plain number of dollars above what the batch spent. */
export function parseBudgetInput(text: string, job: BudgetJob): BudgetInput {
  const usd = parseUsd(text);
  if (usd === null) return { ok: false, message: "Type the new budget as an amount of US dollars above $0, for example 5 or 0.25." };
  if (usd <= job.costUsd) return { ok: false, message: `The batch already spent ${formatUsd(job.costUsd)}: type a budget above that.` };
  return { ok: true, usd };
}

/**
 * A resume the server refused because the budget has no room for one more row, in words; other
 * errors pass through unchanged.
 */
export function explainResumeError(info: ErrorInfo, job: BudgetJob & Pick<Job, "pausedReason">): ErrorInfo {
  if (info.code !== "failed_precondition" || job.pausedReason !== "budget") return info;
  const above = /above (\$[\d.]+)/.exec(info.message)?.[1];
  const need = above ? ` above ${above}` : "";
  return {
    ...info,
    message: `The batch cannot resume under its budget: it spent ${formatUsd(job.costUsd)}${job.budgetUsd !== null ? ` of ${formatUsd(job.budgetUsd)}` : ""}, so the next row would pass it. Raise the budget${need} in the paused banner and resume from there.`,
  };
}

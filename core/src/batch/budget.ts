/**
 * The budget cap (ARCHITECTURE.md, "Budget cap"). Checked when a row is about to start (its first
 * attempt in the pass, after the claim): the spend COMMITTED (the pass base plus every lane's cost
 * counter: one query of the pass's lanes, at most C small documents, no hot document) plus the
 * RESERVE of the rows in flight in other lanes (each reserved at the job's average row cost so far)
 * reaching `budgetUsd` means the row does not start: the job pauses with reason `budget` and the
 * position goes back to its lane for a resume (with a raised budget).
 *
 * Overshoot bound: a row starts only while committed + reserve < budget, and at most C rows are in
 * flight (one per lane), each started under that test. Checks of concurrent lanes are not atomic
 * with each other, so up to C rows may pass it together; whatever they cost is added after. So the
 * final spend ≤ budget + C × (the most one row costs), for every interleaving.
 */
import type { BatchContext } from "./context";
import { readLanes } from "./context";
import { budgetPauseDetail, budgetReached, type Spend, spendOf } from "./budget-spend";
import { jobPath } from "./model";
import { pauseForReason } from "./pause-job";
import type { JobState } from "./state";

/**
 * Pauses the job for its budget (the first reason to pause wins) and shows the spend that stopped
 * it at once: the throttled roll-up may not have written it yet.
 */
export async function pauseForBudget(ctx: BatchContext, job: JobState, budgetUsd: number, spend: Spend): Promise<void> {
  const paused = await pauseForReason(ctx, job.id, "budget", budgetPauseDetail(budgetUsd, spend));
  if (paused && paused.costUsd < spend.committedUsd) await ctx.deps.store.update(jobPath(job.id), { costUsd: spend.committedUsd });
}

/** Null when the row may start; else the spend that stops it. Jobs without a budget never read lanes. */
export async function budgetStop(ctx: BatchContext, job: JobState, laneIndex: number): Promise<Spend | null> {
  if (job.budgetUsd === null) return null;
  const spend = spendOf(job, await readLanes(ctx.deps.store, job.id, job.pass), laneIndex);
  return budgetReached(job.budgetUsd, spend) ? spend : null;
}

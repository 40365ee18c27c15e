/**
 * setConcurrency while pending, running or paused (paused: recorded, applied by resume). Increase: lanes up to the new count are created (empty)
 * and every idle lane below it takes work at once (own range first, else it steals half of the
 * largest range), all in one transaction. Decrease: lanes with index ≥ the new count retire after
 * their current row (checked at their next commit); their remaining ranges stay stealable.
 */
import { ValidationError } from "../errors";
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { readJob, readLanes } from "./context";
import { ensureLaneTasks } from "./dispatch";
import { newLane, steal, takeOwn } from "./lanes";
import { jobPath } from "./model";
import { lanePath, type JobState, type Lane, storedLane } from "./state";
import { canSetConcurrency, isRunnable } from "./statuses";

/**
 * Creates lanes up to `concurrency` and gives every idle lane below it work (own range first, else
 * a steal). Mutates `lanes`; returns the lanes to write and those that became busy.
 */
export function rebalance(lanes: Lane[], concurrency: number, job: Pick<JobState, "pass" | "passList">, now: number): { changed: Set<Lane>; started: Lane[] } {
  const changed = new Set<Lane>();
  for (let i = lanes.length; i < concurrency; i++) {
    const l = newLane(i, job.pass, [0, 0], now, job.passList);
    lanes.push(l);
    changed.add(l);
  }
  const started: Lane[] = [];
  for (const lane of lanes) {
    if (lane.index >= concurrency || lane.current !== null) continue;
    const victim = takeOwn(lane) ? null : steal(lane, lanes);
    if (lane.current === null) break; // nothing left anywhere
    if (victim) changed.add(victim);
    lane.updatedAt = now;
    changed.add(lane);
    started.push(lane);
  }
  return { changed, started };
}

export async function setConcurrency(ctx: BatchContext, caller: Caller, jobId: string, concurrency: number): Promise<JobState> {
  const { store, clock, limits, logger } = ctx.deps;
  if (!Number.isInteger(concurrency) || concurrency < limits.minConcurrency || concurrency > limits.maxConcurrency) {
    throw new ValidationError("Concurrency is out of range", [
      { path: "concurrency", message: `must be an integer between ${limits.minConcurrency} and ${limits.maxConcurrency}` },
    ]);
  }
  const out = await store.runTransaction(async (tx) => {
    const job = assertOwned(await readJob(tx, jobId), caller, jobId);
    if (!canSetConcurrency(job.status)) {
      throw preconditionFailed(`Batch ${jobId} is ${job.status}; its concurrency can no longer change`);
    }
    // A paused job only records it: resume rebalances the lanes to the concurrency then in force.
    // Not runnable, or an economy pass whose layers run: its lanes open at the concurrency then in force.
    if (!isRunnable(job) || job.layersPass === job.pass) {
      tx.update(jobPath(jobId), { concurrency });
      return { job: { ...job, concurrency }, started: [] as Lane[] };
    }
    const lanes = await readLanes(tx, jobId, job.pass);
    const { changed, started } = rebalance(lanes, concurrency, job, clock.now());
    const laneCount = Math.max(job.laneCount, lanes.length);
    tx.update(jobPath(jobId), { concurrency, laneCount });
    for (const l of changed) tx.set(lanePath(jobId, l.index), storedLane(l));
    return { job: { ...job, concurrency, laneCount }, started };
  });
  await ensureLaneTasks(ctx, jobId, out.started);
  logger.info({ jobId, concurrency, lanesStarted: out.started.length }, "batch concurrency changed");
  return out.job;
}

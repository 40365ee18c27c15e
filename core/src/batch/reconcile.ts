/**
 * reconcile: the safety net for work that lost its task (a crash after a commit whose repair also
 * failed, a queue that dropped a task after its last attempt, a start that crashed before
 * enqueueing). A lane is stuck when its row has shown no activity (lane update or a delivery claim)
 * for longer than `olderThanMs` (default: the row timeout plus 5 minutes, so a live row is never
 * taken for stuck). A stuck lane gets a NEW generation, hence a new task id, and its task is
 * enqueued again; the old task, if it ever runs, is stale and does nothing. Jobs whose pass is over
 * but that were never finalized are finalized, and creates that staged their rows but never
 * committed their job (create-staging.ts) have those rows removed.
 */
import type { BatchContext } from "./context";
import { readJob, readLanes, rowAt } from "./context";
import { cleanAbandonedCreates } from "./create-staging";
import { ensureLaneTask } from "./dispatch";
import { maybeFinalize } from "./finalize";
import { passFinished } from "./lanes";
import { claimsPath, Lane, lanePath, laneId, type JobState } from "./state";
import { claimKey, makeRowTask } from "./task-ids";

const MAX_ATTEMPTS_SCANNED = 10;

export async function reconcile(
  ctx: BatchContext,
  opts: { jobId?: string; olderThanMs?: number } = {},
): Promise<{ redriven: number; finalized: number; abandonedCreates: number }> {
  const { store, limits } = ctx.deps;
  const olderThan = opts.olderThanMs ?? limits.rowTimeoutMs + 5 * 60_000;
  const jobs: JobState[] = [];
  if (opts.jobId) {
    const job = await readJob(store, opts.jobId);
    if (job?.status === "processing") jobs.push(job);
  } else {
    const docs = await store.query("batch_jobs", { where: [{ field: "status", op: "==", value: "processing" }], limit: 200 });
    for (const d of docs) {
      const job = await readJob(store, d.id);
      if (job) jobs.push(job);
    }
  }
  let redriven = 0;
  let finalized = 0;
  for (const job of jobs) {
    const lanes = await readLanes(store, job.id, job.pass);
    if (passFinished(lanes, job.cancelRequested)) {
      if (await maybeFinalize(ctx, job.id)) finalized += 1;
      continue;
    }
    for (const lane of lanes) {
      if (lane.current !== null && (await isStuck(ctx, job.id, lane, olderThan)) && (await redrive(ctx, job.id, lane, olderThan))) redriven += 1;
    }
  }
  const abandonedCreates = opts.jobId ? 0 : await cleanAbandonedCreates(ctx);
  if (redriven + finalized > 0) ctx.deps.logger.warn({ redriven, finalized }, "reconcile re-drove stuck work");
  return { redriven, finalized, abandonedCreates };
}

/** The claim docs the lane's current task generation could have written (one per attempt). */
async function claimPaths(ctx: BatchContext, jobId: string, lane: Lane): Promise<string[]> {
  if (lane.current === null) return [];
  const task = makeRowTask(jobId, lane.pass, await rowAt(ctx, jobId, lane, lane.current), lane.index, lane.gen);
  return Array.from({ length: MAX_ATTEMPTS_SCANNED }, (_, a) => `${claimsPath(jobId)}/${claimKey(task, a)}`);
}

const lastActivity = (lane: Lane, claims: ({ data: { at?: number } } | null)[]): number =>
  Math.max(lane.updatedAt, ...claims.map((c) => c?.data.at ?? 0));

async function isStuck(ctx: BatchContext, jobId: string, lane: Lane, olderThan: number): Promise<boolean> {
  const now = ctx.deps.clock.now();
  if (now - lane.updatedAt <= olderThan || lane.current === null) return false;
  const claims = await ctx.deps.store.getAll<{ at?: number }>(await claimPaths(ctx, jobId, lane));
  return now - lastActivity(lane, claims) > olderThan;
}

/**
 * Bumps the lane's generation and enqueues the new task. The transaction re-reads the claims, so a
 * delivery that claimed the row meanwhile makes it conflict and see the row as live again.
 */
async function redrive(ctx: BatchContext, jobId: string, seen: Lane, olderThan: number): Promise<boolean> {
  const { store, clock } = ctx.deps;
  const paths = await claimPaths(ctx, jobId, seen);
  const lane = await store.runTransaction(async (tx) => {
    const [doc, ...claims] = await tx.getAll<{ at?: number }>([lanePath(jobId, seen.index), ...paths]);
    if (!doc) return null;
    const cur = Lane.parse(doc.data);
    if (cur.pass !== seen.pass || cur.current !== seen.current || cur.gen !== seen.gen) return null;
    if (clock.now() - lastActivity(cur, claims) <= olderThan) return null;
    const next = { ...cur, gen: cur.gen + 1, updatedAt: clock.now() };
    tx.set(lanePath(jobId, seen.index), next);
    return next;
  });
  if (!lane) return false;
  ctx.deps.logger.warn({ jobId, lane: laneId(lane.index), gen: lane.gen }, "stuck lane re-driven");
  await ensureLaneTask(ctx, jobId, lane);
  return true;
}

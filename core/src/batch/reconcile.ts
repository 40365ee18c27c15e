/**
 * reconcile: the safety net for work that lost its task (a crash after a commit whose repair also
 * failed, a queue that dropped a task after its last attempt, a start that crashed before
 * enqueueing). A lane is stuck when its row has shown no activity (lane update or a delivery claim)
 * for longer than `olderThanMs` (default: the row timeout plus 5 minutes, so a live row is never
 * taken for stuck). A stuck lane gets a NEW generation, hence a new task id, and its task is
 * enqueued again; the old task, if it ever runs, is stale and does nothing. Jobs whose pass is over
 * but that were never finalized are finalized. Every processing or paused job is visited, page by
 * page (a re-driven row of a paused job hands its position back when delivered; see pause-job.ts).
 * Creates that staged their rows but never committed their job (create-staging.ts) have those
 * rows removed, webhook events whose delivery was never queued are queued
 * (webhooks/webhook-outbox.ts), and an economy pass still in its text layers gets its lost layer
 * or poll tasks again (economy-driver.ts, `redriveLayers`).
 */
import type { Doc } from "../ports/store";
import type { BatchContext } from "./context";
import { readJob, readLanes, rowAt } from "./context";
import { cleanAbandonedCreates } from "./create-staging";
import { ensureLaneTask } from "./dispatch";
import { maybeFinalize } from "./finalize";
import { passFinished } from "./lanes";
import { isPassOpen, statusesWhere } from "./statuses";
import { claimsPath, Lane, lanePath, laneId, type JobState, storedLane } from "./state";
import { claimKey, makeRowTask } from "./task-ids";
import { redriveWebhookEvents } from "../webhooks/webhook-outbox";
import { redriveLayers } from "../economy/economy-driver";

const MAX_ATTEMPTS_SCANNED = 10;
/** Jobs whose pass is open: a paused job's rows in flight can lose their task like any other. */
const OPEN_STATUSES = statusesWhere(isPassOpen);
/** Processing jobs read per query page (job documents hold their flow: keep pages modest). */
export const RECONCILE_PAGE_SIZE = 200;
/** Bound on pages per run (1,000,000 jobs); a run that hits it says so and the next run goes on. */
const MAX_PAGES = 5_000;

export async function reconcile(
  ctx: BatchContext,
  opts: { jobId?: string; olderThanMs?: number } = {},
): Promise<{ redriven: number; finalized: number; abandonedCreates: number; webhookEvents: number }> {
  const { limits } = ctx.deps;
  const olderThan = opts.olderThanMs ?? limits.rowTimeoutMs + 5 * 60_000;
  const totals = { redriven: 0, finalized: 0 };
  const visit = async (jobId: string): Promise<void> => {
    const done = await reconcileJob(ctx, jobId, olderThan);
    totals.redriven += done.redriven;
    totals.finalized += done.finalized;
  };
  if (opts.jobId) await visit(opts.jobId);
  else await forEachProcessingJob(ctx, visit);
  if (totals.redriven + totals.finalized > 0) ctx.deps.logger.warn({ ...totals }, "reconcile re-drove stuck work");
  const abandonedCreates = opts.jobId ? 0 : await cleanAbandonedCreates(ctx);
  const webhookEvents = opts.jobId ? 0 : await redriveWebhookEvents(ctx);
  return { ...totals, abandonedCreates, webhookEvents };
}

/**
 * Pages through every processing job by document id (a `startAfter` cursor on the last doc of a
 * page), one page at a time. One job that fails (a malformed document, a passing store error) is
 * logged and skipped, so it cannot keep the reconciler from every job after it.
 */
async function forEachProcessingJob(ctx: BatchContext, visit: (jobId: string) => Promise<void>): Promise<void> {
  const { store, logger } = ctx.deps;
  let after: Doc | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const docs = await store.query("batch_jobs", {
      where: [{ field: "status", op: "in", value: OPEN_STATUSES }],
      limit: RECONCILE_PAGE_SIZE,
      ...(after ? { startAfter: after } : {}),
    });
    for (const d of docs) {
      await visit(d.id).catch((err: unknown) => logger.error({ jobId: d.id, error: String(err) }, "reconcile skipped a job it could not read"));
    }
    if (docs.length < RECONCILE_PAGE_SIZE) return;
    after = docs[docs.length - 1];
  }
  logger.warn({ pages: MAX_PAGES }, "reconcile stopped at its page bound; the next run continues");
}

async function reconcileJob(ctx: BatchContext, jobId: string, olderThan: number): Promise<{ redriven: number; finalized: number }> {
  const { store } = ctx.deps;
  const job: JobState | null = await readJob(store, jobId);
  if (!job || !isPassOpen(job.status)) return { redriven: 0, finalized: 0 };
  // An economy pass in its text layers has no lanes yet: its layer and poll tasks are checked instead.
  if (job.layersPass === job.pass) return { redriven: await redriveLayers(ctx, job, olderThan), finalized: 0 };
  const lanes = await readLanes(store, job.id, job.pass);
  if (passFinished(lanes, job.cancelRequested)) return { redriven: 0, finalized: (await maybeFinalize(ctx, job.id)) ? 1 : 0 };
  let redriven = 0;
  for (const lane of lanes) {
    if (lane.current !== null && (await isStuck(ctx, job.id, lane, olderThan)) && (await redrive(ctx, job.id, lane, olderThan))) redriven += 1;
  }
  return { redriven, finalized: 0 };
}

/** The claim docs the lane's current task generation could have written (one per attempt). */
async function claimPaths(ctx: BatchContext, jobId: string, lane: Lane): Promise<string[]> {
  if (lane.current === null) return [];
  const task = makeRowTask({
    jobId,
    pass: lane.pass,
    rowIndex: await rowAt(ctx, jobId, lane, lane.current),
    laneIndex: lane.index,
    gen: lane.gen,
    attempt: lane.attemptBase,
  });
  return Array.from({ length: MAX_ATTEMPTS_SCANNED }, (_, a) => `${claimsPath(jobId)}/${claimKey(task, a)}`);
}

/** A row waiting for a delayed retry counts as active until its next try is due. */
const lastActivity = (lane: Lane, claims: ({ data: { at?: number } } | null)[]): number =>
  Math.max(lane.updatedAt, lane.retry?.nextTryAt ?? 0, ...claims.map((c) => c?.data.at ?? 0));

async function isStuck(ctx: BatchContext, jobId: string, lane: Lane, olderThan: number): Promise<boolean> {
  const now = ctx.deps.clock.now();
  if (now - Math.max(lane.updatedAt, lane.retry?.nextTryAt ?? 0) <= olderThan || lane.current === null) return false;
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
    tx.set(lanePath(jobId, seen.index), storedLane(next));
    return next;
  });
  if (!lane) return false;
  ctx.deps.logger.warn({ jobId, lane: laneId(lane.index), gen: lane.gen }, "stuck lane re-driven");
  await ensureLaneTask(ctx, jobId, lane);
  return true;
}

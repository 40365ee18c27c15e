/**
 * A create too large for one commit (Firestore: 500 writes, 10 MiB; 10,000 rows can be 44 MB) is
 * staged: a marker `batch_creates/{jobId}` first, then the row chunks under the new job id, then
 * ONE transaction that requires the marker (not abandoned), writes the job document and deletes
 * the marker. Until that commit the chunks are invisible: nothing lists or reads rows of a job
 * whose document does not exist (and the security rules check the job's owner). A failed create
 * abandons its own staging at once (`abandonCreate`); if that fails too, `reconcile` abandons
 * markers older than `STAGING_TIMEOUT_MS`. Abandoning flips the marker first (in a transaction
 * that also checks the job doc), so a slow create can never commit after its chunks were deleted.
 */
import { z } from "zod";
import type { DocData } from "../ports/store";
import type { BatchContext } from "./context";
import { jobPath } from "./model";
import { rowsChunkPath } from "./state";

export const STAGING = "batch_creates";
/** Longer than any create request may run (callables ≤ 3,600 s). */
export const STAGING_TIMEOUT_MS = 2 * 3_600_000;
const DELETES_PER_BATCH = 400;

export const StagingMarker = z.object({
  ownerId: z.string(),
  jobId: z.string(),
  chunks: z.number().int().nonnegative(),
  createdAt: z.number(),
  abandoned: z.boolean(),
});
export type StagingMarker = z.infer<typeof StagingMarker>;

export const stagingPath = (jobId: string): string => `${STAGING}/${jobId}`;

export interface Write {
  path: string;
  data: DocData;
  bytes: number;
}

/** Groups writes into commits that respect the store's limits (one write per group at least). */
export function commitGroups(writes: Write[], limits: { maxWrites: number; maxBytes: number }): Write[][] {
  const groups: Write[][] = [];
  let cur: Write[] = [];
  let bytes = 0;
  for (const w of writes) {
    if (cur.length > 0 && (cur.length >= limits.maxWrites || bytes + w.bytes > limits.maxBytes)) {
      groups.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(w);
    bytes += w.bytes;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** Writes the marker, then the chunks (several commits). Throws on the first failure. */
export async function stageChunks(ctx: BatchContext, o: { ownerId: string; jobId: string; chunks: Write[]; groups: Write[][] }): Promise<void> {
  await writeMarker(ctx, { ownerId: o.ownerId, jobId: o.jobId, chunks: o.chunks.length });
  for (const group of o.groups) await commitWrites(ctx, group);
}

/** The marker goes first: from then on a failure or reconcile can find and remove the chunks. */
export async function writeMarker(ctx: BatchContext, o: { ownerId: string; jobId: string; chunks: number }): Promise<void> {
  const marker: StagingMarker = { ownerId: o.ownerId, jobId: o.jobId, chunks: o.chunks, createdAt: ctx.deps.clock.now(), abandoned: false };
  await ctx.deps.store.create(stagingPath(o.jobId), marker);
}

/** One commit of staged chunk writes. */
export async function commitWrites(ctx: BatchContext, group: Write[]): Promise<void> {
  const batch = ctx.deps.store.batch();
  for (const w of group) batch.set(w.path, w.data);
  await batch.commit();
}

/**
 * Removes a create's staged chunks unless its job document was committed. Safe to run more than
 * once and concurrently. Returns true when chunks were deleted.
 */
export async function abandonCreate(ctx: BatchContext, jobId: string): Promise<boolean> {
  const { store } = ctx.deps;
  const marker = await store.runTransaction(async (tx) => {
    const [m, job] = await tx.getAll([stagingPath(jobId), jobPath(jobId)]);
    if (!m) return null;
    if (job) {
      tx.delete(stagingPath(jobId)); // committed after all: the chunks belong to a live job
      return null;
    }
    const parsed = StagingMarker.parse(m.data);
    if (!parsed.abandoned) tx.update(stagingPath(jobId), { abandoned: true });
    return parsed;
  });
  if (!marker) return false;
  for (let i = 0; i < marker.chunks; i += DELETES_PER_BATCH) {
    const batch = store.batch();
    for (let c = i; c < Math.min(marker.chunks, i + DELETES_PER_BATCH); c++) batch.delete(rowsChunkPath(jobId, c));
    await batch.commit();
  }
  await store.delete(stagingPath(jobId));
  ctx.deps.logger.warn({ jobId, chunks: marker.chunks }, "abandoned batch create cleaned up");
  return true;
}

/** Reconcile's part: abandon staged creates older than the timeout (their request is long gone). */
export async function cleanAbandonedCreates(ctx: BatchContext, olderThanMs = STAGING_TIMEOUT_MS): Promise<number> {
  const { store, clock } = ctx.deps;
  const stale = await store.query(STAGING, {
    where: [{ field: "createdAt", op: "<", value: clock.now() - olderThanMs }],
    orderBy: { field: "createdAt" },
    limit: 100,
  });
  let cleaned = 0;
  for (const d of stale) if (await abandonCreate(ctx, d.id)) cleaned += 1;
  return cleaned;
}

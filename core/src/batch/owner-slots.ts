/**
 * The per-owner active-job limit, held under concurrency. `batch_owners/{hash(ownerId)}` keeps the
 * SET of the owner's active (pending, processing or paused) job ids, changed only inside the transactions
 * that change a job's status:
 *   create (+id, limit checked) · retryFailed opening a pass (+id, limit checked)
 *   finalize and cancel of a pending job (−id, a blind merge-delete)
 * A set, not a number: adding or removing an id twice changes nothing, so a duplicate trigger or a
 * re-run transaction can never drift the count (the id is its own idempotency marker). Creates read
 * the document in their transaction, so two concurrent creates conflict and one re-runs seeing the
 * other's id. A document without `counted` (an owner whose jobs predate it, or a stub left by a
 * release) is rebuilt from a query of the owner's active jobs inside the same transaction.
 */
import { createHash } from "node:crypto";
import { PermanentError } from "../errors";
import { deleteField, type DocumentStore, type Transaction } from "../ports/store";
import type { JobState } from "./state";
import { isActive, statusesWhere } from "./statuses";

export const OWNERS = "batch_owners";
const ACTIVE = statusesWhere(isActive);

export interface OwnerSlots {
  ownerId: string;
  /** True once `active` is known to be complete (see the header). */
  counted: boolean;
  /** Active job id → when it became active (epoch ms). */
  active: Record<string, number>;
}

/** Doc ids cannot hold every character a uid may, and must not be guessable paths: hash them. */
export const ownerSlotsPath = (ownerId: string): string => `${OWNERS}/${createHash("sha256").update(ownerId).digest("hex").slice(0, 40)}`;

const activeWhere = (ownerId: string) => [
  { field: "ownerId", op: "==" as const, value: ownerId },
  { field: "status", op: "in" as const, value: ACTIVE },
];

/** The owner's active job ids as a transaction sees them (reads only). */
export async function readActive(tx: Transaction, ownerId: string): Promise<Record<string, number>> {
  const doc = await tx.get<Partial<OwnerSlots>>(ownerSlotsPath(ownerId));
  if (doc?.data.counted === true && doc.data.active) return { ...doc.data.active };
  const jobs = await tx.query<{ createdAt?: number }>("batch_jobs", { where: activeWhere(ownerId) });
  return Object.fromEntries(jobs.map((j) => [j.id, j.data.createdAt ?? 0]));
}

/** A plain read for an early answer before any write (the transaction re-checks). */
export async function peekActiveCount(store: DocumentStore, ownerId: string): Promise<number> {
  const doc = await store.get<Partial<OwnerSlots>>(ownerSlotsPath(ownerId));
  if (doc?.data.counted === true && doc.data.active) return Object.keys(doc.data.active).length;
  return store.count("batch_jobs", activeWhere(ownerId));
}

export function limitExceeded(active: number, limit: number): PermanentError {
  return new PermanentError("limit_exceeded", `You already have ${active} active batches; at most ${limit} may be pending or running at once`);
}

/**
 * Adds `jobId` to the owner's set inside `tx` (after its reads), refusing past `limit`. `active` is
 * what `readActive` returned in the same transaction.
 */
export function acquireSlot(tx: Transaction, o: { ownerId: string; jobId: string; active: Record<string, number>; limit: number; now: number }): void {
  const { ownerId, jobId, active, limit } = o;
  if (!(jobId in active) && Object.keys(active).length >= limit) throw limitExceeded(Object.keys(active).length, limit);
  const doc: OwnerSlots = { ownerId, counted: true, active: { ...active, [jobId]: o.now } };
  tx.set(ownerSlotsPath(ownerId), doc as unknown as Record<string, unknown>);
}

/** Removes the job from its owner's set: a blind write, so finalize gains no read (and no contention). */
export function releaseSlot(tx: Transaction, job: Pick<JobState, "id" | "ownerId">): void {
  tx.set(ownerSlotsPath(job.ownerId), { active: { [job.id]: deleteField() } }, { merge: true });
}

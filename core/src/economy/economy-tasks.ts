/**
 * The economy driver's task payloads and their deterministic ids. They travel on the batch task
 * queue beside row tasks, so every host that delivers row tasks delivers them; `runRowTask` routes
 * them by `kind`.
 * - `economy`: submit one layer of one pass (id `eco-{jobId}-p{pass}-L{layer}`: at most one per
 *   layer, whichever provider job of the layer settles last asks for the next one; a reconcile
 *   re-drive adds `-r{epoch s}`).
 * - `economy-poll`: the n-th poll of one provider job (id `eco-{jobId}-p{pass}-{sha(displayName)}-n{n}`),
 *   delayed by the poll interval; a poll that must wait enqueues poll n+1 (a reconcile re-drive
 *   starts a chain at n = 10^9 + epoch s).
 */
import { createHash } from "node:crypto";

export interface EconomyLayerTask {
  kind: "economy";
  jobId: string;
  pass: number;
  layer: number;
  /** Set by reconcile's re-drive (epoch s), so the id is new: the first task may be spent. */
  redrive?: number;
}

export interface EconomyPollTask {
  kind: "economy-poll";
  jobId: string;
  pass: number;
  layer: number;
  displayName: string;
  n: number;
}

export type EconomyTask = EconomyLayerTask | EconomyPollTask;

export function isEconomyTask(t: unknown): t is EconomyTask {
  const v = t as Partial<EconomyTask> | null;
  if (typeof v !== "object" || v === null || typeof v.jobId !== "string") return false;
  if (!Number.isInteger(v.pass) || !Number.isInteger(v.layer)) return false;
  if (v.kind === "economy") return true;
  const p = v as Partial<EconomyPollTask>;
  return v.kind === "economy-poll" && typeof p.displayName === "string" && Number.isInteger(p.n);
}

export const economyLayerTaskId = (t: Pick<EconomyLayerTask, "jobId" | "pass" | "layer" | "redrive">): string =>
  `eco-${t.jobId}-p${t.pass}-L${t.layer}${t.redrive !== undefined ? `-r${t.redrive}` : ""}`;

export function economyPollTaskId(t: Pick<EconomyPollTask, "jobId" | "pass" | "displayName" | "n">): string {
  const sha = createHash("sha256").update(t.displayName).digest("hex").slice(0, 16);
  return `eco-${t.jobId}-p${t.pass}-${sha}-n${t.n}`;
}

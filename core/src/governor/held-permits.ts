/**
 * The permits an in-process governor holds and the concurrency they take, per key: the model key
 * (`model:{model}`, shared by every job) and the per-job keys (`job:{jobId}:kind:{kind}`,
 * `job:{jobId}:model:{model}`). Permits never reported lapse at their `holdUntil` (`reap`).
 */
import { ownEntry } from "./own-entry";
import type { Permit, PermitRequest } from "./port";

export interface HeldPermit {
  permit: Permit;
  holdUntil: number;
}

export class HeldPermits<H extends HeldPermit = HeldPermit> {
  private readonly held = new Map<string, H>();
  private readonly inFlight = new Map<string, number>();
  private nextReapAt = 0;

  add(h: H): void {
    this.held.set(h.permit.id, h);
    this.take(h.permit, +1);
  }

  /** Removes the permit and frees its slots; undefined when it was not held (reported twice, or lapsed). */
  remove(id: string): H | undefined {
    const h = this.held.get(id);
    if (!h) return undefined;
    this.held.delete(id);
    this.take(h.permit, -1);
    return h;
  }

  /** Slots in use on a key (see `modelKey` / `jobKey`). */
  count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  /** Frees the slots of permits nobody reported (a caller that crashed or hung); at most once a second. */
  reap(now: number): void {
    if (now < this.nextReapAt) return;
    this.nextReapAt = now + 1_000;
    for (const [id, h] of this.held) if (h.holdUntil <= now) this.remove(id);
  }

  private take(p: Permit, delta: number): void {
    const keys = [modelKey(p.model), ...p.jobKeys.map((k) => jobKey(p.jobId ?? "", k))];
    for (const key of keys) {
      const n = this.count(key) + delta;
      if (n <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, n);
    }
  }
}

export function modelKey(model: string): string {
  return `model:${model}`;
}

export function jobKey(jobId: string, key: string): string {
  return `job:${jobId}:${key}`;
}

/** The job's keys that apply to this call, with their limits. */
export function jobKeysOf(req: PermitRequest): Array<[string, number]> {
  const limits = req.job?.limits;
  if (!limits) return [];
  const out: Array<[string, number]> = [];
  const byKind = ownEntry(limits.byKind, req.kind);
  if (byKind !== undefined) out.push([`kind:${req.kind}`, byKind]);
  const byModel = ownEntry(limits.byModel, req.model);
  if (byModel !== undefined) out.push([`model:${req.model}`, byModel]);
  return out;
}

/** When an unreported permit lapses: the caller's `holdUntil`, capped, never before its start. */
export function holdUntilOf(req: PermitRequest, now: number, startAt: number, maxHoldMs: number | undefined): number {
  const maxHold = now + (maxHoldMs ?? 15 * 60_000);
  return Math.min(maxHold, Math.max(req.holdUntil ?? maxHold, startAt));
}

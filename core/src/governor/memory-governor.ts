/**
 * The in-process governor: every batch of one process shares it. Used directly by tests and the
 * simulator (time from the injected Clock, so runs are deterministic), and by the local host with
 * its persisted state (`persist` callbacks; see local/src/sqlite/sqlite-governor.ts). Decisions are
 * synchronous, so two callers can never both take the last slot.
 */
import type { Clock } from "../ports/clock";
import { limitsFor, mergeLimits } from "./defaults";
import { admit, applyReport, DEFAULT_STATE_OPTIONS, freshModelState, type ModelState, type StateOptions } from "./model-state";
import { rateInForce } from "./aimd";
import type { CallReport, Governor, LimitsTable, ModelLimits, ModelStatus, Permit, PermitAnswer, PermitRequest } from "./port";

export interface GovernorPersistence {
  /** A model's shared state changed (rates, Retry-After, daily count). */
  saveState(model: string, state: ModelState, urgent: boolean): void;
  /** The runtime overrides changed (`setLimits`). */
  saveOverrides(overrides: LimitsTable): void;
}

export interface MemoryGovernorOptions {
  clock: Clock;
  /** The base table (e.g. DEFAULT_MODEL_LIMITS); runtime overrides layer over it. */
  defaults?: LimitsTable;
  /** Overrides in force at start (flags, or what was persisted). */
  overrides?: LimitsTable;
  /** States restored from persistence. */
  states?: Record<string, ModelState>;
  stateOptions?: Partial<StateOptions>;
  /** Longest an unreported permit holds its slot (default 15 min). */
  maxHoldMs?: number;
  /** How soon a caller refused a concurrency slot asks again (default 100 ms). */
  pollMs?: number;
  persist?: GovernorPersistence;
}

interface Held {
  permit: Permit;
  holdUntil: number;
}

export class MemoryGovernor implements Governor {
  private readonly clock: Clock;
  private readonly defaults: LimitsTable;
  private overrides: LimitsTable;
  private table: LimitsTable;
  private readonly states = new Map<string, ModelState>();
  private readonly held = new Map<string, Held>();
  private readonly inFlight = new Map<string, number>();
  private readonly o: StateOptions;
  private seq = 0;
  private nextReapAt = 0;

  constructor(private readonly opts: MemoryGovernorOptions) {
    this.clock = opts.clock;
    this.defaults = opts.defaults ?? {};
    this.overrides = opts.overrides ?? {};
    this.table = mergeLimits(this.defaults, this.overrides);
    this.o = { ...DEFAULT_STATE_OPTIONS, ...opts.stateOptions };
    for (const [model, s] of Object.entries(opts.states ?? {})) this.states.set(model, s);
  }

  acquire(req: PermitRequest): Promise<PermitAnswer> {
    return Promise.resolve(this.acquireNow(req));
  }

  /** The synchronous decision (also used by hosts that must not yield between check and take). */
  acquireNow(req: PermitRequest): PermitAnswer {
    const now = this.clock.now();
    this.reap(now);
    const limits = limitsFor(this.table, req.model);
    const state = this.states.get(req.model) ?? freshModelState();
    const tokens = Math.max(0, Math.ceil(req.estimatedTokens));
    const admitted = admit({ state, limits, now, tokens, maxDelayMs: Math.max(0, req.maxDelayMs), o: this.o });
    if (!admitted.ok) return { kind: "defer", retryAfterMs: Math.ceil(admitted.retryAfterMs), reason: admitted.reason };
    const pollMs = this.opts.pollMs ?? 100;
    if (limits.concurrency !== undefined && this.count(modelKey(req.model)) >= limits.concurrency) {
      return { kind: "wait", waitMs: pollMs, reason: "concurrency" };
    }
    const jobKeys = jobKeysOf(req);
    if (jobKeys.some(([key, limit]) => this.count(jobKey(req.job?.id ?? "", key)) >= limit)) {
      return { kind: "wait", waitMs: pollMs, reason: "job_concurrency" };
    }
    this.states.set(req.model, admitted.state);
    this.opts.persist?.saveState(req.model, admitted.state, false);
    const permit: Permit = {
      id: `p${++this.seq}`,
      model: req.model,
      kind: req.kind,
      ...(req.job ? { jobId: req.job.id } : {}),
      jobKeys: jobKeys.map(([key]) => key),
      estimatedTokens: tokens,
      grantedAt: now,
      startAt: admitted.startAt,
    };
    const maxHold = now + (this.opts.maxHoldMs ?? 15 * 60_000);
    this.held.set(permit.id, { permit, holdUntil: Math.min(maxHold, Math.max(req.holdUntil ?? maxHold, admitted.startAt)) });
    this.take(permit, +1);
    return { kind: "granted", permit, delayMs: admitted.startAt - now };
  }

  report(r: CallReport): Promise<void> {
    this.reportNow(r);
    return Promise.resolve();
  }

  reportNow(r: CallReport): void {
    const held = this.held.get(r.permit.id);
    if (!held) return; // reported twice, or lapsed: the slot is already free
    this.held.delete(r.permit.id);
    this.take(held.permit, -1);
    const { permit } = held;
    const limits = limitsFor(this.table, permit.model);
    const state = this.states.get(permit.model) ?? freshModelState();
    const tokenDelta = r.actualTokens === undefined ? 0 : r.actualTokens - permit.estimatedTokens;
    const next = applyReport(state, {
      limits,
      outcome: r.outcome,
      grantedAt: permit.grantedAt,
      now: this.clock.now(),
      tokenDelta,
      ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}),
      o: this.o,
    });
    this.states.set(permit.model, next);
    this.opts.persist?.saveState(permit.model, next, r.outcome === "rate_limited");
  }

  setLimits(table: Record<string, ModelLimits | null>): Promise<void> {
    this.overrides = mergeLimits(this.overrides, table);
    this.table = mergeLimits(this.defaults, this.overrides);
    this.opts.persist?.saveOverrides(this.overrides);
    return Promise.resolve();
  }

  status(model: string): Promise<ModelStatus> {
    const limits = limitsFor(this.table, model);
    const s = this.states.get(model) ?? freshModelState();
    const eff = s.effRpm !== undefined ? rateInForce(s, limits.rpm) : undefined;
    return Promise.resolve({
      model,
      limits,
      ...(eff !== undefined ? { effectiveRpm: eff } : {}),
      inFlight: this.count(modelKey(model)),
      retryUntil: s.retryUntil,
      dayCount: s.dayCount,
    });
  }

  /** The overrides and every model's state, for persistence and tests. */
  snapshot(): { overrides: LimitsTable; states: Record<string, ModelState> } {
    return { overrides: { ...this.overrides }, states: Object.fromEntries(this.states) };
  }

  private count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  private take(p: Permit, delta: number): void {
    const keys = [modelKey(p.model), ...p.jobKeys.map((k) => jobKey(p.jobId ?? "", k))];
    for (const key of keys) {
      const n = this.count(key) + delta;
      if (n <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, n);
    }
  }

  /** Frees the slots of permits nobody reported (a caller that crashed or hung). */
  private reap(now: number): void {
    if (now < this.nextReapAt) return;
    this.nextReapAt = now + 1_000;
    for (const [id, h] of this.held) {
      if (h.holdUntil > now) continue;
      this.held.delete(id);
      this.take(h.permit, -1);
    }
  }
}

function modelKey(model: string): string {
  return `model:${model}`;
}

function jobKey(jobId: string, key: string): string {
  return `job:${jobId}:${key}`;
}

/** The job's keys that apply to this call, with their limits. */
function jobKeysOf(req: PermitRequest): Array<[string, number]> {
  const limits = req.job?.limits;
  if (!limits) return [];
  const out: Array<[string, number]> = [];
  const byKind = limits.byKind?.[req.kind];
  if (byKind !== undefined) out.push([`kind:${req.kind}`, byKind]);
  const byModel = limits.byModel?.[req.model];
  if (byModel !== undefined) out.push([`model:${req.model}`, byModel]);
  return out;
}

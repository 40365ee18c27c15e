/**
 * The in-process governor: every batch of one process shares it. Used directly by tests and the
 * simulator (time from the injected Clock, so runs are deterministic), and by the local host with
 * its persisted state (`persist` callbacks; see local/src/sqlite/sqlite-governor.ts). Decisions are
 * synchronous, so two callers can never both take the last slot.
 */
import type { Clock } from "../ports/clock";
import { limitsFor, mergeLimits } from "./defaults";
import { admit, applyReport, DEFAULT_STATE_OPTIONS, freshModelState, reservationClear, type ModelState, type StateOptions } from "./model-state";
import { rateInForce } from "./aimd";
import { HeldPermits, holdUntilOf, jobKey, jobKeysOf, modelKey } from "./held-permits";
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

export class MemoryGovernor implements Governor {
  private readonly clock: Clock;
  private readonly defaults: LimitsTable;
  private overrides: LimitsTable;
  private table: LimitsTable;
  private readonly states = new Map<string, ModelState>();
  private readonly held = new HeldPermits();
  private readonly o: StateOptions;
  private seq = 0;

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
    this.held.reap(now);
    const limits = limitsFor(this.table, req.model);
    const state = this.states.get(req.model) ?? freshModelState();
    const tokens = Math.max(0, Math.ceil(req.estimatedTokens));
    const admitted = admit({ state, limits, now, tokens, maxDelayMs: Math.max(0, req.maxDelayMs), o: this.o });
    if (!admitted.ok) return { kind: "defer", retryAfterMs: Math.ceil(admitted.retryAfterMs), reason: admitted.reason };
    const pollMs = this.opts.pollMs ?? 100;
    if (limits.concurrency !== undefined && this.held.count(modelKey(req.model)) >= limits.concurrency) {
      return { kind: "wait", waitMs: pollMs, reason: "concurrency" };
    }
    const jobKeys = jobKeysOf(req);
    if (jobKeys.some(([key, limit]) => this.held.count(jobKey(req.job?.id ?? "", key)) >= limit)) {
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
    this.held.add({ permit, holdUntil: holdUntilOf(req, now, admitted.startAt, this.opts.maxHoldMs) });
    return { kind: "granted", permit, delayMs: admitted.startAt - now };
  }

  report(r: CallReport): Promise<void> {
    this.reportNow(r);
    return Promise.resolve();
  }

  reportNow(r: CallReport): void {
    const held = this.held.remove(r.permit.id);
    if (!held) return; // reported twice, or lapsed: the slot is already free
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

  confirm(permit: Permit): Promise<boolean> {
    return Promise.resolve(this.confirmNow(permit));
  }

  /** False when a 429 since the grant set a Retry-After that covers now (see `Governor.confirm`). */
  confirmNow(permit: Permit): boolean {
    const state = this.states.get(permit.model);
    return !state || reservationClear(state.retryUntil, permit.startAt, this.clock.now());
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
      inFlight: this.held.count(modelKey(model)),
      retryUntil: s.retryUntil,
      dayCount: s.dayCount,
    });
  }

  /** The overrides and every model's state, for persistence and tests. */
  snapshot(): { overrides: LimitsTable; states: Record<string, ModelState> } {
    return { overrides: { ...this.overrides }, states: Object.fromEntries(this.states) };
  }
}

/**
 * The governor over a document store (Firestore in production), shared by every instance of a
 * deployment without a hot document. Design in core/ARCHITECTURE.md ("Governor on Firestore"),
 * documents in `store-docs.ts`, the two transactions in `store-leases.ts`. Per instance:
 * - rates run in memory with the same GCRA as the in-memory governor, at the shared rate in force;
 * - a permit's start must also fit a LEASE: requests of the start's window taken from one shard
 *   document `governor/{model}/shards/{i}` (`planLeases` sizes shards, windows and leases so the
 *   lease writes stay ≤ 0.2 per call and ≤ ~1/s per shard); when no shard has any left the start
 *   moves to the next window (or the answer is `defer`);
 * - the adaptive rate is `governor/{model}`, written only on a cut; growth is a function of the
 *   time since the cut, so successes write nothing;
 * - concurrency (the model key and the per-job keys) is leased as slots, a few at a time;
 * - the limits are `settings/governor` over the defaults, re-read every `refreshMs`.
 * Calls into one instance are serialized (one decision at a time), like the in-memory governor.
 * `status` is this instance's view (its in-flight permits and daily count).
 */
import type { Clock } from "../ports/clock";
import type { DocumentStore } from "../ports/store";
import { limitsFor, mergeLimits } from "./defaults";
import { unitMs } from "./gcra";
import { planLeases, type LeasePlanInput } from "./lease-math";
import { admit, DEFAULT_STATE_OPTIONS, freshModelState, observedRpm, providerDay, reservationClear, type ModelState, type StateOptions } from "./model-state";
import { HeldPermits, holdUntilOf, jobKey, jobKeysOf, modelKey, type HeldPermit } from "./held-permits";
import type { CallReport, DenyReason, Governor, LimitsTable, ModelLimits, ModelStatus, Permit, PermitAnswer, PermitRequest } from "./port";
import { modelDocPath, rateAt, readGovernorSettings, SharedRate, shareOf, writeGovernorSettings } from "./store-docs";
import { leaseRequests, leaseSlots } from "./store-leases";

export interface StoreGovernorOptions {
  store: DocumentStore;
  clock: Clock;
  /** Names this instance's slot leases: unique per process (e.g. a random id at start). */
  instanceId: string;
  /** The base table (e.g. DEFAULT_MODEL_LIMITS); the settings document layers over it. */
  defaults?: LimitsTable;
  stateOptions?: Partial<StateOptions>;
  /** Longest an unreported permit holds its slot (default 15 min). */
  maxHoldMs?: number;
  /** How soon a caller refused a concurrency slot asks again (default 100 ms). */
  pollMs?: number;
  /** How long the settings and the shared rate are trusted once read (default 5 s). */
  refreshMs?: number;
  /** Length of a concurrency slot lease (default 2 min); renewed by the next acquire on the key. */
  slotLeaseMs?: number;
  /** Lease sizing (see `planLeases`). */
  lease?: Omit<LeasePlanInput, "rpm">;
}

interface ModelLocal {
  /** Local GCRA, token and daily-count state (its adaptive fields are unused: the rate is shared). */
  state: ModelState;
  shared: SharedRate | null;
  sharedReadAt: number;
  /** Window start → requests left of this instance's leases for that window. */
  leases: Map<number, number>;
  /** Leased requests that were never used and whose window has passed: credited to the day. */
  dayCredit: number;
  nextShard: number;
}

interface SlotLease {
  n: number;
  until: number;
  /** The last lease attempt found nothing free: do not ask the store again before this. */
  fullUntil: number;
}

interface Held extends HeldPermit {
  /** The lease window the permit's request came from (null = not metered). */
  window: number | null;
}

interface SlotNeed {
  key: string;
  limit: number;
  reason: DenyReason;
}

interface Plan {
  shards: number;
  windowMs: number;
  callsPerLease: number;
}

const DAY_MS = 86_400_000;
/** Turns of one decision (each a lease or a later window) before asking the caller to come back. */
const MAX_TURNS = 8;

export class StoreGovernor implements Governor {
  private readonly store: DocumentStore;
  private readonly clock: Clock;
  private readonly defaults: LimitsTable;
  private table: LimitsTable;
  private settingsReadAt = -Infinity;
  private readonly models = new Map<string, ModelLocal>();
  private readonly held = new HeldPermits<Held>();
  private readonly slots = new Map<string, SlotLease>();
  private readonly o: StateOptions;
  private readonly refreshMs: number;
  private readonly slotLeaseMs: number;
  private readonly pollMs: number;
  private seq = 0;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: StoreGovernorOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.defaults = opts.defaults ?? {};
    this.table = mergeLimits(this.defaults);
    this.o = { ...DEFAULT_STATE_OPTIONS, ...opts.stateOptions };
    this.refreshMs = opts.refreshMs ?? 5_000;
    this.slotLeaseMs = opts.slotLeaseMs ?? 120_000;
    this.pollMs = opts.pollMs ?? 100;
  }

  acquire(req: PermitRequest): Promise<PermitAnswer> {
    return this.exclusive(() => this.decide(req));
  }

  report(r: CallReport): Promise<void> {
    return this.exclusive(() => this.applyReport(r));
  }

  setLimits(table: Record<string, ModelLimits | null>): Promise<void> {
    return this.exclusive(async () => {
      const now = this.clock.now();
      const doc = await writeGovernorSettings(this.store, { limits: table, replace: false, updatedAt: now, updatedBy: `governor:${this.opts.instanceId}` });
      this.useSettings(doc.limits, now);
    });
  }

  /**
   * Stale when a 429 seen by this instance (or in the shared rate it last read) since the grant
   * set a Retry-After that still covers now; no store round trip.
   */
  confirm(permit: Permit): Promise<boolean> {
    const m = this.models.get(permit.model);
    const retryUntil = m ? Math.max(m.state.retryUntil, m.shared?.retryUntil ?? 0) : 0;
    return Promise.resolve(reservationClear(retryUntil, permit.startAt, this.clock.now()));
  }

  status(model: string): Promise<ModelStatus> {
    return this.exclusive(async () => {
      const now = this.clock.now();
      await this.refreshSettings(now);
      const limits = limitsFor(this.table, model);
      const m = await this.modelAt(model, now);
      const rpm = rateAt(m.shared, limits.rpm, now, this.o.aimd);
      const adaptive = m.shared !== null && rpm !== undefined && rpm !== limits.rpm;
      return {
        model,
        limits,
        ...(adaptive ? { effectiveRpm: rpm } : {}),
        inFlight: this.held.count(modelKey(model)),
        retryUntil: Math.max(m.state.retryUntil, m.shared?.retryUntil ?? 0),
        dayCount: providerDay(now, this.o) === m.state.day ? m.state.dayCount : 0,
      };
    });
  }

  /** One decision at a time per instance: check-then-take never interleaves. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Store reads and lease transactions take time, so every decision is made on a fresh clock
   * reading AFTER them: a turn that had to wait for the store starts over (a start planned before
   * the wait would reach the provider later than the rate assumed, and crowd the calls after it).
   */
  private async decide(req: PermitRequest): Promise<PermitAnswer> {
    await this.refreshSettings(this.clock.now());
    const m = await this.modelAt(req.model, this.clock.now());
    const tokens = Math.max(0, Math.ceil(req.estimatedTokens));
    const maxDelayMs = Math.max(0, req.maxDelayMs);
    let floor = 0;
    // Bounded: a turn answers, or takes a lease (slots or requests), or moves `floor` a window on.
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const now = this.clock.now();
      this.held.reap(now);
      const limits = limitsFor(this.table, req.model);
      const rpm = rateAt(m.shared, limits.rpm, now, this.o.aimd);
      const { rpd, ...rateLimits } = limits;
      const retryUntil = Math.max(m.state.retryUntil, m.shared?.retryUntil ?? 0);
      const admitted = admit({ state: this.gcraView(m, rpm, Math.max(retryUntil, floor)), limits: rateLimits, now, tokens, maxDelayMs, o: this.o });
      if (!admitted.ok) {
        const reason = admitted.reason === "retry_after" && floor > retryUntil ? "rpm" : admitted.reason;
        return { kind: "defer", retryAfterMs: Math.ceil(admitted.retryAfterMs), reason };
      }
      const slots = await this.ensureSlots(this.slotNeeds(req, limits), now);
      if (slots === "leased") continue;
      if (slots) return { kind: "wait", waitMs: this.pollMs, reason: slots };
      const plan = rpm !== undefined || rpd !== undefined ? this.planFor(limits, m, rpm) : null;
      let window: number | null = null;
      if (plan) {
        window = Math.floor(admitted.startAt / plan.windowMs) * plan.windowMs;
        const left = m.leases.get(window) ?? 0;
        if (left <= 0) {
          const got = await this.leaseRequests(req.model, m, plan, limits, window, now);
          if (got === "day") return { kind: "defer", retryAfterMs: (providerDay(now, this.o) + 1) * DAY_MS - this.o.dayOffsetMs - now, reason: "rpd" };
          if (got === "full") {
            floor = window + plan.windowMs;
            if (floor - this.clock.now() > maxDelayMs) return { kind: "defer", retryAfterMs: floor - this.clock.now(), reason: "rpm" };
          }
          continue;
        }
        m.leases.set(window, left - 1);
      }
      m.state = { ...stripAdaptive(admitted.state), retryUntil: m.state.retryUntil };
      // A start moved to a window's opening uses up the burst: the calls after it are spaced at the
      // rate from there, instead of a burst of them at the same instant (which the provider 429s).
      if (floor > 0 && rpm !== undefined) m.state.reqTat = Math.max(m.state.reqTat, admitted.startAt + this.o.burstMs + unitMs(rpm));
      return this.grant(req, tokens, now, admitted.startAt, window);
    }
    // Other instances kept taking what this one leased for: ask again shortly.
    return { kind: "wait", waitMs: this.pollMs, reason: "rpm" };
  }

  private grant(req: PermitRequest, tokens: number, now: number, startAt: number, window: number | null): PermitAnswer {
    const jobKeys = jobKeysOf(req).map(([key]) => key);
    const permit: Permit = {
      id: `${this.opts.instanceId}:${++this.seq}`,
      model: req.model,
      kind: req.kind,
      ...(req.job ? { jobId: req.job.id } : {}),
      jobKeys,
      estimatedTokens: tokens,
      grantedAt: now,
      startAt,
    };
    this.held.add({ permit, holdUntil: holdUntilOf(req, now, startAt, this.opts.maxHoldMs), window });
    return { kind: "granted", permit, delayMs: startAt - now };
  }

  private async applyReport(r: CallReport): Promise<void> {
    const held = this.held.remove(r.permit.id);
    if (!held) return; // reported twice, or lapsed: the slot is already free
    const { permit } = held;
    const now = this.clock.now();
    const limits = limitsFor(this.table, permit.model);
    const m = this.local(permit.model);
    if (limits.tpm !== undefined && r.actualTokens !== undefined) {
      m.state = { ...m.state, tokTat: m.state.tokTat + (r.actualTokens - permit.estimatedTokens) * unitMs(limits.tpm) };
    }
    switch (r.outcome) {
      case "ok":
      case "error":
        return;
      case "not_called":
        m.state = { ...m.state, dayCount: Math.max(0, m.state.dayCount - 1) };
        if (held.window === null) return;
        if (m.leases.has(held.window)) m.leases.set(held.window, (m.leases.get(held.window) ?? 0) + 1);
        else m.dayCredit += 1;
        return;
      case "rate_limited": {
        const retryUntil = now + (r.retryAfterMs ?? 1_000);
        m.state = { ...m.state, retryUntil: Math.max(m.state.retryUntil, retryUntil) };
        // One cut per round: a 429 for a permit granted before the last cut was sent under the old rate.
        if (permit.grantedAt >= (m.shared?.lastCutAt ?? 0)) await this.cut(permit.model, m, limits, permit.grantedAt, now, retryUntil);
        return;
      }
    }
  }

  /** Cuts the shared rate in one transaction, unless another instance already cut it this round. */
  private async cut(model: string, m: ModelLocal, limits: ModelLimits, grantedAt: number, now: number, retryUntil: number): Promise<void> {
    const path = modelDocPath(model);
    const { aimd } = this.o;
    const observed = observedRpm(m.state, now);
    m.shared = await this.store.runTransaction(async (tx) => {
      const doc = await tx.get(path);
      const cur = doc ? SharedRate.parse(doc.data) : null;
      if (cur && cur.lastCutAt > grantedAt) return cur;
      const current = rateAt(cur, limits.rpm, now, aimd) ?? Math.max(observed, aimd.minRpm);
      const next: SharedRate = {
        effRpm: Math.max(aimd.minRpm, current * aimd.decrease),
        cutFrom: current,
        lastCutAt: now,
        retryUntil: Math.max(cur?.retryUntil ?? 0, retryUntil),
      };
      tx.set(path, next);
      return next;
    });
    m.sharedReadAt = now;
  }

  /** A new lease of `window` from a shard into `m.leases` ("leased"), or why there is none. */
  private async leaseRequests(model: string, m: ModelLocal, plan: Plan, limits: ModelLimits, window: number, now: number): Promise<"leased" | "full" | "day"> {
    const rate = rateAt(m.shared, limits.rpm, window, this.o.aimd);
    const total = rate === undefined ? null : Math.max(1, Math.floor((rate * plan.windowMs) / 60_000));
    const tries = Math.min(plan.shards, 3);
    let dayFull = 0;
    for (let t = 0; t < tries; t++) {
      const shard = m.nextShard++ % plan.shards;
      const lease = await leaseRequests(this.store, {
        model,
        shard,
        windowStart: window,
        liveFrom: now - plan.windowMs,
        windowCapacity: shareOf(total, plan.shards, shard),
        day: providerDay(now, this.o),
        dayCapacity: limits.rpd === undefined ? null : shareOf(limits.rpd, plan.shards, shard),
        want: plan.callsPerLease,
        dayCredit: m.dayCredit,
      });
      m.dayCredit -= lease.credited;
      if (lease.dayFull && lease.granted === 0) dayFull += 1;
      if (lease.granted > 0) {
        this.dropPastLeases(m, now, plan.windowMs);
        m.leases.set(window, (m.leases.get(window) ?? 0) + lease.granted);
        return "leased";
      }
    }
    return dayFull === plan.shards ? "day" : "full";
  }

  /** Leases of windows that have ended are dead; what they left unused goes back to the day. */
  private dropPastLeases(m: ModelLocal, now: number, windowMs: number): void {
    for (const [start, left] of m.leases) {
      if (start + windowMs > now) continue;
      m.leases.delete(start);
      m.dayCredit += left;
    }
  }

  private planFor(limits: ModelLimits, m: ModelLocal, rpm: number | undefined): Plan {
    const base = limits.rpm ?? m.shared?.cutFrom ?? rpm;
    if (base === undefined) return { shards: 1, windowMs: this.opts.lease?.minWindowMs ?? 5_000, callsPerLease: this.opts.lease?.minCallsPerLease ?? 5 };
    return planLeases({ ...this.opts.lease, rpm: base });
  }

  /**
   * The first concurrency key without a free slot; `leased` when a slot lease changed (the caller
   * decides again on a fresh clock); null when every key has a slot for this call.
   */
  private async ensureSlots(needs: SlotNeed[], now: number): Promise<DenyReason | "leased" | null> {
    for (const need of needs) {
      const inUse = this.held.count(need.key);
      if (inUse >= need.limit) return need.reason;
      const lease = this.slots.get(need.key);
      const renewDue = !lease || lease.until - now < this.slotLeaseMs / 2;
      if (lease && !renewDue && inUse < lease.n) continue;
      if (lease && !renewDue && lease.fullUntil > now) return need.reason;
      const until = renewDue ? now + this.slotLeaseMs : (lease?.until ?? now + this.slotLeaseMs);
      const step = Math.max(1, Math.ceil(need.limit / 4));
      const n = await leaseSlots(this.store, {
        key: need.key,
        instanceId: this.opts.instanceId,
        limit: need.limit,
        inUse,
        want: Math.min(need.limit, inUse + step),
        now,
        until,
      });
      this.slots.set(need.key, { n, until, fullUntil: n > inUse ? 0 : now + Math.min(this.refreshMs, 1_000) });
      return n > inUse ? "leased" : need.reason;
    }
    return null;
  }

  private slotNeeds(req: PermitRequest, limits: ModelLimits): SlotNeed[] {
    const needs: SlotNeed[] = [];
    if (limits.concurrency !== undefined) needs.push({ key: modelKey(req.model), limit: limits.concurrency, reason: "concurrency" });
    for (const [key, limit] of jobKeysOf(req)) needs.push({ key: jobKey(req.job?.id ?? "", key), limit, reason: "job_concurrency" });
    return needs;
  }

  private async refreshSettings(now: number): Promise<void> {
    if (now - this.settingsReadAt < this.refreshMs) return;
    const doc = await readGovernorSettings(this.store);
    this.useSettings(doc?.limits ?? {}, now);
  }

  private useSettings(overrides: LimitsTable, now: number): void {
    this.table = mergeLimits(this.defaults, overrides);
    this.settingsReadAt = now;
  }

  /** The model's local state, with the shared rate re-read when it is older than `refreshMs`. */
  private async modelAt(model: string, now: number): Promise<ModelLocal> {
    const m = this.local(model);
    if (now - m.sharedReadAt >= this.refreshMs) {
      const doc = await this.store.get(modelDocPath(model));
      m.shared = doc ? SharedRate.parse(doc.data) : null;
      m.sharedReadAt = now;
    }
    return m;
  }

  private local(model: string): ModelLocal {
    let m = this.models.get(model);
    if (!m) {
      m = { state: freshModelState(), shared: null, sharedReadAt: -Infinity, leases: new Map(), dayCredit: 0, nextShard: hashOf(this.opts.instanceId) };
      this.models.set(model, m);
    }
    return m;
  }

  /** The local state as `admit` sees it: the shared rate in force and the earliest start. */
  private gcraView(m: ModelLocal, rpm: number | undefined, notBefore: number): ModelState {
    const view: ModelState = { ...stripAdaptive(m.state), retryUntil: notBefore };
    if (rpm !== undefined) view.effRpm = rpm;
    return view;
  }
}

function stripAdaptive(s: ModelState): ModelState {
  const out = { ...s };
  delete out.effRpm;
  delete out.cutFrom;
  return out;
}

/** A small stable number from the instance id: instances start their shard rotation apart. */
function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h % 1_000;
}

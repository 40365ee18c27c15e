/**
 * The shared state of one model and the pure decisions over it: rate and token reservations
 * (GCRA), Retry-After, the daily count and the adaptive rate (AIMD). Concurrency is NOT here: slots
 * are held by live permits, which die with their process, so only this serializable part is what a
 * host persists (SQLite locally, bucket documents on Firestore).
 */
import { z } from "zod";
import { DEFAULT_AIMD, onRateLimited, onSuccess, rateInForce, type AimdPolicy } from "./aimd";
import { gcraReserve, unitMs } from "./gcra";
import type { CallOutcome, DenyReason, ModelLimits } from "./port";

export const ModelState = z.object({
  effRpm: z.number().positive().optional(),
  cutFrom: z.number().positive().optional(),
  lastCutAt: z.number(),
  reqTat: z.number(),
  tokTat: z.number(),
  retryUntil: z.number(),
  day: z.number().int(),
  dayCount: z.number().int().nonnegative(),
  /** Grants in the current and the previous 10 s window: the observed rate. */
  winStart: z.number(),
  winCount: z.number().int().nonnegative(),
  prevWinCount: z.number().int().nonnegative(),
});
export type ModelState = z.infer<typeof ModelState>;

export function freshModelState(): ModelState {
  return { lastCutAt: 0, reqTat: 0, tokTat: 0, retryUntil: 0, day: 0, dayCount: 0, winStart: 0, winCount: 0, prevWinCount: 0 };
}

export interface StateOptions {
  /** Burst tolerated by the rate checks, in ms of the rate. */
  burstMs: number;
  /** Offset of the provider's day from UTC (Gemini: midnight Pacific → −8 h). */
  dayOffsetMs: number;
  aimd: AimdPolicy;
}

export const DEFAULT_STATE_OPTIONS: StateOptions = { burstMs: 1_000, dayOffsetMs: -8 * 3_600_000, aimd: DEFAULT_AIMD };

const DAY_MS = 86_400_000;
const WINDOW_MS = 10_000;

export function providerDay(now: number, o: StateOptions): number {
  return Math.floor((now + o.dayOffsetMs) / DAY_MS);
}

export type AdmitResult = { ok: true; state: ModelState; startAt: number } | { ok: false; retryAfterMs: number; reason: DenyReason };

/** Admits one request (rates, tokens, Retry-After, daily count) if it can start within `maxDelayMs`. */
export function admit(i: { state: ModelState; limits: ModelLimits; now: number; tokens: number; maxDelayMs: number; o: StateOptions }): AdmitResult {
  const { limits, now, o } = i;
  const s = rollWindows(i.state, now, o);
  if (limits.rpd !== undefined && s.dayCount >= limits.rpd) {
    const nextDay = (s.day + 1) * DAY_MS - o.dayOffsetMs;
    return { ok: false, retryAfterMs: nextDay - now, reason: "rpd" };
  }
  const rpm = rateInForce(s, limits.rpm);
  const req = rpm === undefined ? null : gcraReserve({ tat: s.reqTat, now, perMinute: rpm, weight: 1, burstMs: o.burstMs, notBefore: s.retryUntil });
  const tok = limits.tpm === undefined ? null : gcraReserve({ tat: s.tokTat, now, perMinute: limits.tpm, weight: i.tokens, burstMs: o.burstMs });
  const startAt = Math.max(now, s.retryUntil, req?.startAt ?? 0, tok?.startAt ?? 0);
  if (startAt - now > i.maxDelayMs) {
    const reason: DenyReason = s.retryUntil === startAt ? "retry_after" : (tok?.startAt ?? 0) === startAt ? "tpm" : "rpm";
    return { ok: false, retryAfterMs: startAt - now, reason };
  }
  const state: ModelState = { ...s, dayCount: s.dayCount + 1, winCount: s.winCount + 1 };
  // Charge from the common start, so a wait on one limit does not bank credit on the other.
  if (req && rpm !== undefined) state.reqTat = Math.max(s.reqTat, startAt) + unitMs(rpm);
  if (tok && limits.tpm !== undefined) state.tokTat = Math.max(s.tokTat, startAt) + i.tokens * unitMs(limits.tpm);
  return { ok: true, state, startAt };
}

/**
 * Whether a reservation planned to start at `startAt` may start `now`: a grant made after a 429
 * starts at or after its Retry-After, so `retryUntil > startAt` means the 429 came after the grant,
 * and the start is stale while that Retry-After still covers now.
 */
export function reservationClear(retryUntil: number, startAt: number, now: number): boolean {
  return retryUntil <= startAt || retryUntil <= now;
}

/** Applies a call's report: token correction, daily count for unused permits, AIMD, Retry-After. */
export function applyReport(
  state: ModelState,
  r: { limits: ModelLimits; outcome: CallOutcome; grantedAt: number; now: number; tokenDelta: number; retryAfterMs?: number; o: StateOptions },
): ModelState {
  const { limits, now, o } = r;
  let s = rollWindows(state, now, o);
  if (limits.tpm !== undefined && r.tokenDelta !== 0) s = { ...s, tokTat: s.tokTat + r.tokenDelta * unitMs(limits.tpm) };
  switch (r.outcome) {
    case "ok":
      return { ...withoutAimd(s), ...onSuccess(s, { ...defined(limits.rpm), policy: o.aimd }) };
    case "rate_limited": {
      const cut = onRateLimited(s, { ...defined(limits.rpm), grantedAt: r.grantedAt, now, observedRpm: observedRpm(s, now), policy: o.aimd });
      return { ...withoutAimd(s), ...cut, retryUntil: Math.max(s.retryUntil, now + (r.retryAfterMs ?? 1_000)) };
    }
    case "not_called":
      return { ...s, dayCount: Math.max(0, s.dayCount - 1) };
    case "error":
      return s;
  }
}

/** Grants per minute over the last one or two 10 s windows. */
export function observedRpm(s: ModelState, now: number): number {
  const span = Math.max(1_000, now - s.winStart + WINDOW_MS);
  return ((s.winCount + s.prevWinCount) * 60_000) / span;
}

function rollWindows(s: ModelState, now: number, o: StateOptions): ModelState {
  let out = s;
  const day = providerDay(now, o);
  if (day !== s.day) out = { ...out, day, dayCount: 0 };
  if (now - out.winStart >= 2 * WINDOW_MS) out = { ...out, winStart: now, winCount: 0, prevWinCount: 0 };
  else if (now - out.winStart >= WINDOW_MS) out = { ...out, winStart: out.winStart + WINDOW_MS, winCount: 0, prevWinCount: out.winCount };
  return out;
}

/** The state without the adaptive fields, so an AIMD step that drops `effRpm` really removes it. */
function withoutAimd(s: ModelState): Omit<ModelState, "effRpm" | "cutFrom"> {
  const out: Partial<ModelState> = { ...s };
  delete out.effRpm;
  delete out.cutFrom;
  return out as Omit<ModelState, "effRpm" | "cutFrom">;
}

function defined(limitRpm: number | undefined): { limitRpm?: number } {
  return limitRpm === undefined ? {} : { limitRpm };
}

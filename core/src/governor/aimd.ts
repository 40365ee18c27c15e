/**
 * Adaptive request rate per model (AIMD), shared by every batch: a 429 cuts the effective rate
 * multiplicatively, successes grow it back additively toward the configured limit. Only one cut
 * per "round": a 429 for a permit granted before the last cut says nothing about the new rate (it
 * was sent under the old one), so a burst of 429s from calls already in flight cuts once, like TCP.
 * Pure functions over a small serializable state.
 */

export interface AimdPolicy {
  /** Multiplier on a 429 (0 < decrease < 1). */
  decrease: number;
  /** Growth per minute of successful calls, as a fraction of the ceiling (the configured RPM). */
  increasePerMinute: number;
  /** Floor of the effective rate (requests/min). */
  minRpm: number;
}

export const DEFAULT_AIMD: AimdPolicy = { decrease: 0.7, increasePerMinute: 0.2, minRpm: 1 };

export interface AimdState {
  /** Effective RPM; absent = the configured limit (or unlimited when there is none). */
  effRpm?: number;
  /** The rate just before the last cut: the growth base when no RPM limit is configured. */
  cutFrom?: number;
  /** When the last cut happened (0 = never). */
  lastCutAt: number;
}

/** The rate in force: the effective rate under the limit, or the limit, or undefined (unlimited). */
export function rateInForce(s: AimdState, limitRpm: number | undefined): number | undefined {
  if (s.effRpm === undefined) return limitRpm;
  return limitRpm === undefined ? s.effRpm : Math.min(s.effRpm, limitRpm);
}

/**
 * After a 429 for a permit granted at `grantedAt`. `observedRpm` is the recent grant rate, the
 * starting point when no RPM limit is configured.
 */
export function onRateLimited(s: AimdState, o: { limitRpm?: number; grantedAt: number; now: number; observedRpm: number; policy: AimdPolicy }): AimdState {
  if (o.grantedAt < s.lastCutAt) return s;
  const current = rateInForce(s, o.limitRpm) ?? Math.max(o.observedRpm, o.policy.minRpm);
  const effRpm = Math.max(o.policy.minRpm, current * o.policy.decrease);
  return { effRpm, cutFrom: current, lastCutAt: o.now };
}

/** After a successful call: grow by `increasePerMinute · ceiling` per minute of calls at the current rate. */
export function onSuccess(s: AimdState, o: { limitRpm?: number; policy: AimdPolicy }): AimdState {
  if (s.effRpm === undefined) return s;
  const base = o.limitRpm ?? s.cutFrom ?? s.effRpm;
  const effRpm = s.effRpm + (o.policy.increasePerMinute * base) / Math.max(s.effRpm, 1);
  // Back at the limit (or, unlimited, well past where the cut happened): the adaptive rate is done.
  const ceiling = o.limitRpm ?? 2 * base;
  if (effRpm >= ceiling) return { lastCutAt: s.lastCutAt };
  return { ...s, effRpm };
}

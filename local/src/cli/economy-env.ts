/**
 * Poll settings of economy batches from the environment (README, "Economy mode"), for `run` and
 * `serve`: `FLOWCRAFT_ECONOMY_POLL_MS` is the wait before a provider job's first poll (doubling
 * per poll), `FLOWCRAFT_ECONOMY_MAX_POLL_MS` the longest wait. Unset: the provider's defaults
 * (Gemini 30 s up to 10 min; offline 1 s up to 5 s). Anything but a whole number of ms from 1 to
 * 24 h, or a longest wait below the first one, is a usage error (exit 2), not a silent default.
 */
import type { LocalHostOptions } from "../local-host";
import { UsageError } from "./args";

const MAX_MS = 86_400_000;

export type EconomyPolls = Exclude<LocalHostOptions["economy"], false | undefined>;

function msVar(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_MS) {
    throw new UsageError(`${name} must be a whole number of milliseconds from 1 to ${MAX_MS} (got "${raw}")`);
  }
  return n;
}

/** The local host's economy poll settings from the environment, or undefined when none is set. */
export function economyPollsFromEnv(env: NodeJS.ProcessEnv): EconomyPolls | undefined {
  const first = msVar(env, "FLOWCRAFT_ECONOMY_POLL_MS");
  const max = msVar(env, "FLOWCRAFT_ECONOMY_MAX_POLL_MS");
  if (first !== undefined && max !== undefined && max < first) {
    throw new UsageError(`FLOWCRAFT_ECONOMY_MAX_POLL_MS (${max}) must not be below FLOWCRAFT_ECONOMY_POLL_MS (${first})`);
  }
  if (first === undefined && max === undefined) return undefined;
  return { ...(first !== undefined ? { pollIntervalMs: first } : {}), ...(max !== undefined ? { maxPollIntervalMs: max } : {}) };
}

/**
 * The governor's runtime settings as hosts show and change them: the effective table per model
 * (documented default, runtime override, what applies, and the live adaptive state), and the
 * update a settings page sends. Shared by the local host (`GET`/`PUT /api/settings/limits`) and the
 * Firebase callables (`getGovernorSettings`/`setGovernorSettings`).
 */
import { z } from "zod";
import { DEFAULT_LIMITS_VERSION, limitsFor, mergeLimits } from "./defaults";
import { ownEntry } from "./own-entry";
import type { Governor, LimitsTable, ModelLimits } from "./port";

const positive = (what: string) => z.number({ error: `must be a number of ${what}` }).positive(`must be more than 0 ${what}`);
const whole = (what: string) =>
  z
    .number({ error: `must be a number of ${what}` })
    .int("must be a whole number")
    .min(1, `must be at least 1 ${what.replace(/s$/, "")}`);

/** One model's new override: every field optional (absent = the default for that field). */
export const ModelLimitsInput = z.strictObject(
  {
    rpm: positive("requests per minute").optional(),
    tpm: positive("tokens per minute").optional(),
    concurrency: whole("calls").optional(),
    rpd: whole("requests").optional(),
  },
  {
    error: (i) =>
      i.code === "unrecognized_keys" ? `unknown limit ${i.keys.map((k) => JSON.stringify(k)).join(", ")}: use rpm, tpm, concurrency or rpd` : undefined,
  },
);

/**
 * A settings update: model id → its new override (replacing the old one whole), or `null` (or
 * `{}`) to go back to the default. Models not named keep theirs. `*` is every model without its own entry.
 */
export const LimitsUpdate = z.record(z.string().trim().min(1, "a model id must not be empty").max(200), ModelLimitsInput.nullable());
export type LimitsUpdate = z.infer<typeof LimitsUpdate>;

export interface ModelSettings {
  model: string;
  /** The documented default (`{}` = none). */
  defaults: ModelLimits;
  /** The runtime override in force (null = none). */
  override: ModelLimits | null;
  /** What applies: the override over the default. */
  limits: ModelLimits;
  /** The adaptive request rate now in force after 429s (absent = the configured RPM). */
  effectiveRpm?: number;
  /** No call to this model before this time (epoch ms; 0 = none): the provider's Retry-After. */
  retryUntil: number;
  /** Requests counted today (provider day). */
  dayCount: number;
  inFlight: number;
}

export interface GovernorSettings {
  /** Which default table applies (see defaults.ts); null when there are no defaults (offline provider). */
  defaultsVersion: string | null;
  models: ModelSettings[];
}

/** The settings view: every model with a default, an override, or state (`*` first, then by name). */
export async function governorSettings(o: {
  governor: Governor;
  defaults: LimitsTable;
  overrides: LimitsTable;
  seen?: Iterable<string>;
}): Promise<GovernorSettings> {
  const names = new Set([...Object.keys(o.defaults), ...Object.keys(o.overrides), ...(o.seen ?? [])]);
  const sorted = [...names].sort((a, b) => (a === "*" ? -1 : b === "*" ? 1 : a.localeCompare(b)));
  const table = mergeLimits(o.defaults, o.overrides);
  const models = await Promise.all(
    sorted.map(async (model): Promise<ModelSettings> => {
      const s = await o.governor.status(model);
      return {
        model,
        defaults: limitsFor(o.defaults, model),
        override: ownEntry(o.overrides, model) ?? null,
        limits: limitsFor(table, model),
        ...(s.effectiveRpm !== undefined ? { effectiveRpm: s.effectiveRpm } : {}),
        retryUntil: s.retryUntil,
        dayCount: s.dayCount,
        inFlight: s.inFlight,
      };
    }),
  );
  return { defaultsVersion: Object.keys(o.defaults).length > 0 ? DEFAULT_LIMITS_VERSION : null, models };
}

/** The overrides after an update: each named model's override becomes exactly what it says. */
export function overridesAfter(current: LimitsTable, update: LimitsUpdate): LimitsTable {
  const next: LimitsTable = { ...current };
  for (const [model, limits] of Object.entries(update)) {
    const clean = limits ? (Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as ModelLimits) : null;
    if (!clean || Object.keys(clean).length === 0) delete next[model];
    else next[model] = clean;
  }
  return next;
}

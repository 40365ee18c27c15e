/**
 * Default per-model limits: the figures a user starts from before telling the governor their
 * project's real quota (`--model-rpm` etc. locally, the settings document on Firebase). They are
 * DEFAULTS, meant to be overridden: quotas depend on the project's usage tier and change often.
 *
 * Source: Gemini API "Rate limits" page, Tier 1 (billing enabled) table,
 * https://ai.google.dev/gemini-api/docs/rate-limits, as read on 2026-12-01. Text models use its
 * RPM / TPM / RPD figures. For image and video models the table gives only small per-minute and
 * per-day figures that vary by model version; the values below are deliberately conservative
 * (an over-tight default costs speed, an over-loose one costs 429s that the adaptive back-off then
 * absorbs). No concurrency limit is published; video calls (minutes long) get a small default so a
 * video step cannot hold every slot.
 */
import { ownEntry } from "./own-entry";
import type { LimitsTable, ModelLimits } from "./port";

export const DEFAULT_LIMITS_VERSION = "gemini-tier1-2026-12-01";

export const DEFAULT_MODEL_LIMITS: LimitsTable = {
  "gemini-2.5-pro": { rpm: 150, tpm: 2_000_000, rpd: 10_000 },
  "gemini-2.5-flash": { rpm: 1_000, tpm: 1_000_000, rpd: 10_000 },
  "gemini-2.5-flash-lite": { rpm: 4_000, tpm: 4_000_000 },
  "gemini-2.0-flash": { rpm: 2_000, tpm: 4_000_000 },
  "gemini-2.0-flash-lite": { rpm: 4_000, tpm: 4_000_000 },
  "gemini-2.5-flash-image": { rpm: 500, tpm: 500_000, rpd: 2_000 },
  "imagen-4.0-generate-001": { rpm: 10, rpd: 70 },
  "imagen-4.0-fast-generate-001": { rpm: 10, rpd: 70 },
  "veo-3.0-generate-001": { rpm: 2, rpd: 10, concurrency: 2 },
  "veo-3.0-fast-generate-001": { rpm: 2, rpd: 10, concurrency: 2 },
};

/** The limits that apply to `model`: its own entry, else the table's `*` entry, else none. */
export function limitsFor(table: LimitsTable, model: string): ModelLimits {
  return ownEntry(table, model) ?? ownEntry(table, "*") ?? {};
}

/**
 * Layers tables, later ones winning per model and per field; a `null` entry removes the model's
 * override so the earlier layers show through again.
 */
export function mergeLimits(...layers: Array<Record<string, ModelLimits | null> | undefined>): LimitsTable {
  const out: LimitsTable = {};
  for (const layer of layers) {
    for (const [model, limits] of Object.entries(layer ?? {})) {
      if (limits === null) delete out[model];
      else out[model] = { ...ownEntry(out, model), ...limits };
    }
  }
  return out;
}

/**
 * The per-model limit flags of `run` and `serve`: `--model-rpm MODEL=N`, `--model-tpm MODEL=N`,
 * `--model-concurrency MODEL=N`, `--model-rpd MODEL=N`. Each may repeat or list several models
 * (`--model-rpm a=600,b=100`); `*` stands for every model without its own entry. With the gemini
 * provider they override the documented defaults; the offline provider has no quota, so only the
 * flags apply.
 */
import { DEFAULT_MODEL_LIMITS, type LimitsTable, type ModelLimits } from "@flowcraft/core";
import { UsageError, type ParsedArgs } from "./args";

export const MODEL_LIMIT_OPTIONS = {
  "model-rpm": "list",
  "model-tpm": "list",
  "model-concurrency": "list",
  "model-rpd": "list",
} as const;

const FIELDS: Record<keyof typeof MODEL_LIMIT_OPTIONS, keyof ModelLimits> = {
  "model-rpm": "rpm",
  "model-tpm": "tpm",
  "model-concurrency": "concurrency",
  "model-rpd": "rpd",
};

/** The flags as a limits table (empty when none was given). */
export function parseModelLimits(options: ParsedArgs["options"]): LimitsTable {
  const table: LimitsTable = {};
  for (const [flag, field] of Object.entries(FIELDS)) {
    const raw = options[flag];
    if (raw === undefined) continue;
    if (raw === true) throw new UsageError(`--${flag} needs MODEL=N`);
    for (const item of raw.split(",")) {
      const m = /^([^=\s]+)=(\d+)$/.exec(item.trim());
      const n = Number(m?.[2]);
      if (!m?.[1] || !Number.isInteger(n) || n < 1) {
        throw new UsageError(`--${flag} must be MODEL=N with N a whole number ≥ 1, e.g. --${flag} gemini-2.5-flash=600 (got "${item}")`);
      }
      table[m[1]] = { ...table[m[1]], [field]: n };
    }
  }
  return table;
}

/** What the local host's governor starts from for this provider and these flags. */
export function modelLimitsFor(provider: "offline" | "gemini", options: ParsedArgs["options"]): { defaults: LimitsTable; overrides: LimitsTable } {
  return { defaults: provider === "gemini" ? DEFAULT_MODEL_LIMITS : {}, overrides: parseModelLimits(options) };
}

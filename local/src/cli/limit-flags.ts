/**
 * The per-model limit flags of `run` and `serve`: `--model-rpm MODEL=N`, `--model-tpm MODEL=N`,
 * `--model-concurrency MODEL=N`, `--model-rpd MODEL=N`. Each may repeat or list several models
 * (`--model-rpm a=600,b=100`); `*` stands for every model without its own entry. With the gemini
 * provider they override the documented defaults; the offline provider has no quota, so only the
 * flags apply. `--queue-concurrency N` and `--queue-rate N` cap the local task queue itself.
 */
import { DEFAULT_MODEL_LIMITS, type JobCallLimits, type LimitsTable, type ModelLimits, type QueueLimits } from "@flowcraft/core";
import { DEFAULT_QUEUE_LIMITS } from "../sqlite/sqlite-task-queue";
import { UsageError, intOption, type ParsedArgs } from "./args";

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
    for (const [model, n] of pairsOf(options, flag, "MODEL", "gemini-2.5-flash=600")) table[model] = { ...table[model], [field]: n };
  }
  return table;
}

/** `run`'s per-batch limits: calls of one batch in flight at once, by step type and by model. */
export const JOB_LIMIT_OPTIONS = {
  "job-concurrency": "list",
  "job-model-concurrency": "list",
} as const;

const KINDS = ["text", "image", "video"] as const;

/**
 * `--job-concurrency text=10,image=3,video=1` and `--job-model-concurrency MODEL=N` as the batch's
 * `callLimits` (undefined when neither was given).
 */
export function parseJobCallLimits(options: ParsedArgs["options"]): JobCallLimits | undefined {
  const byKind: NonNullable<JobCallLimits["byKind"]> = {};
  for (const [kind, n] of pairsOf(options, "job-concurrency", "TYPE", "video=1")) {
    const known = KINDS.find((k) => k === kind);
    if (!known) throw new UsageError(`--job-concurrency: unknown step type "${kind}"; use ${KINDS.join(", ")} (e.g. --job-concurrency text=10,video=1)`);
    byKind[known] = n;
  }
  const byModel = Object.fromEntries(pairsOf(options, "job-model-concurrency", "MODEL", "veo-3.0-generate-001=1"));
  const limits: JobCallLimits = {
    ...(Object.keys(byKind).length > 0 ? { byKind } : {}),
    ...(Object.keys(byModel).length > 0 ? { byModel } : {}),
  };
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/** The `NAME=N` items of a list flag (repeated or comma separated), N a whole number ≥ 1. */
function pairsOf(options: ParsedArgs["options"], flag: string, name: string, example: string): Array<[string, number]> {
  const raw = options[flag];
  if (raw === undefined) return [];
  if (raw === true) throw new UsageError(`--${flag} needs ${name}=N`);
  return raw.split(",").map((item): [string, number] => {
    const m = /^([^=\s]+)=(\d+)$/.exec(item.trim());
    const n = Number(m?.[2]);
    if (!m?.[1] || !Number.isInteger(n) || n < 1) {
      throw new UsageError(`--${flag} must be ${name}=N with N a whole number ≥ 1, e.g. --${flag} ${example} (got "${item}")`);
    }
    return [m[1], n];
  });
}

/** What the local host's governor starts from for this provider and these flags. */
export function modelLimitsFor(provider: "offline" | "gemini", options: ParsedArgs["options"]): { defaults: LimitsTable; overrides: LimitsTable } {
  return { defaults: provider === "gemini" ? DEFAULT_MODEL_LIMITS : {}, overrides: parseModelLimits(options) };
}

/** The local queue's process-wide dispatch limits of `run` and `serve` (none unless given). */
export const QUEUE_LIMIT_OPTIONS = {
  "queue-concurrency": "value",
  "queue-rate": "value",
} as const;

const QUEUE_FLAG_MAX = 1_000_000;

/**
 * `--queue-concurrency N` (tasks running at once) and `--queue-rate N` (dispatches per second) as
 * the queue's limits; a flag not given leaves that limit off. Undefined when neither was given.
 */
export function parseQueueLimits(options: ParsedArgs["options"]): QueueLimits | undefined {
  const concurrency = intOption(options, "queue-concurrency", 1, QUEUE_FLAG_MAX);
  const rate = intOption(options, "queue-rate", 1, QUEUE_FLAG_MAX);
  if (concurrency === undefined && rate === undefined) return undefined;
  return {
    maxConcurrentDispatches: concurrency ?? DEFAULT_QUEUE_LIMITS.maxConcurrentDispatches,
    maxDispatchesPerSecond: rate ?? DEFAULT_QUEUE_LIMITS.maxDispatchesPerSecond,
  };
}

/**
 * The arithmetic of a batch estimate (pure): output tokens per call, call and row durations, and
 * the makespan under the concurrency and the per-model limits. Every figure here is a planning
 * assumption, named and documented, not a measurement; a dry run replaces the output tokens and
 * row durations with measured ones.
 */
import { limitsFor } from "../governor/defaults";
import type { LimitsTable } from "../governor/port";
import type { AiNode, Flow } from "../flow/schema";
import { buildGraph, topologicalOrder } from "../flow/graph";

export interface Range {
  low: number;
  expected: number;
  high: number;
}

export const LEVELS = ["low", "expected", "high"] as const;
export type Level = (typeof LEVELS)[number];

export const mapRange = (f: (level: Level) => number): Range => ({ low: f("low"), expected: f("expected"), high: f("high") });

/**
 * Output tokens of a text call without a measurement: with `maxOutputTokens`, the cap is the high
 * figure and typical answers use a share of it; without one, planning figures for a short answer
 * (thinking tokens, billed as output on 2.5 models, can exceed them: set maxOutputTokens to bound).
 */
export const OUTPUT_SHARE = { low: 0.05, expected: 0.25, high: 1 } as const;
export const UNCAPPED_OUTPUT_TOKENS = { low: 50, expected: 400, high: 2_048 } as const;

export function outputTokensPerCall(node: AiNode, measured?: readonly number[]): Range {
  if (node.type !== "text") return { low: 0, expected: 0, high: 0 };
  const cap = node.data.maxOutputTokens;
  if (measured && measured.length > 0) {
    const max = Math.max(...measured);
    const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
    return { low: Math.min(...measured), expected: Math.round(mean), high: cap ?? 2 * max };
  }
  if (cap !== undefined) return mapRange((l) => Math.max(1, Math.ceil(cap * OUTPUT_SHARE[l])));
  return { ...UNCAPPED_OUTPUT_TOKENS };
}

/** Planning latencies: a text call's first-token time plus output at a generation speed; media flat. */
const TEXT_LATENCY = { low: { baseMs: 400, tokensPerS: 250 }, expected: { baseMs: 800, tokensPerS: 120 }, high: { baseMs: 2_000, tokensPerS: 60 } } as const;
const MEDIA_LATENCY_MS = { image: { low: 4_000, expected: 8_000, high: 20_000 }, video: { low: 40_000, expected: 90_000, high: 300_000 } } as const;

export function callDurationMs(node: AiNode, out: Range, level: Level): number {
  switch (node.type) {
    case "text": {
      const t = TEXT_LATENCY[level];
      return t.baseMs + (out[level] / t.tokensPerS) * 1000;
    }
    case "image":
    case "video":
      return MEDIA_LATENCY_MS[node.type][level];
  }
}

/** A row's duration: the longest chain of AI calls through the flow (independent branches run in parallel). */
export function rowDurationMs(flow: Flow, callMs: ReadonlyMap<string, number>): number {
  const graph = buildGraph(flow);
  const finish = new Map<string, number>();
  let longest = 0;
  for (const id of topologicalOrder(graph)) {
    const start = Math.max(0, ...(graph.upstream.get(id) ?? []).map((u) => finish.get(u) ?? 0));
    const end = start + (callMs.get(id) ?? 0);
    finish.set(id, end);
    longest = Math.max(longest, end);
  }
  return longest;
}

export interface ModelLoad {
  model: string;
  calls: number;
  inputTokens: number;
  /** Sum of this model's call durations (ms), for its concurrency limit. */
  busyMs: number;
}

/**
 * The batch's makespan: rows spread over the concurrency, but never faster than a model's limits
 * allow (RPM caps the call rate, TPM the input tokens per minute, a concurrency limit the calls at
 * once). RPD is not a rate: a batch beyond it pauses rather than runs slower, so it is left out.
 */
export function makespanMs(o: { rows: number; concurrency: number; rowMs: number; loads: readonly ModelLoad[]; limits: LimitsTable }): number {
  const lanes = Math.max(1, Math.min(o.concurrency, o.rows));
  let ms = o.rows === 0 ? 0 : Math.max(o.rowMs, (o.rows * o.rowMs) / lanes);
  for (const load of o.loads) {
    const l = limitsFor(o.limits, load.model);
    if (l.rpm) ms = Math.max(ms, (load.calls / l.rpm) * 60_000);
    if (l.tpm) ms = Math.max(ms, (load.inputTokens / l.tpm) * 60_000);
    if (l.concurrency) ms = Math.max(ms, load.busyMs / l.concurrency);
  }
  return Math.round(ms);
}

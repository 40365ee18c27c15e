/**
 * estimateBatch: what a batch would cost and how long it would take, before it runs. No job is
 * created and no generation call is made unless a dry run is asked for.
 *   1. render every AI node's prompt for every row (up to SAMPLE_ROWS; beyond, a seeded random
 *      sample of that many rows, scaled up), an upstream AI output standing in as placeholder text
 *      of its expected length;
 *   2. count the input tokens: the provider's counter for text nodes (Gemini `countTokens`),
 *      the ~4 characters per token approximation otherwise or when the counter is unavailable;
 *   3. output tokens from each node's `maxOutputTokens` (high) and a typical share (expected),
 *      or measured by an optional dry run of k rows (real calls, whose cost is reported);
 *   4. price tokens and media with the price table; time from the concurrency and the model limits.
 */
import { z } from "zod";
import { addUsage, ZERO_USAGE, type AiService, type Usage } from "../ai/port";
import { estimateTokens } from "../ai/offline-content";
import { ValidationError } from "../errors";
import { economyCostRange } from "../economy/economy-estimate";
import { SeededRandom } from "../seeded-random";
import type { AiNode, Flow, FlowNode } from "../flow/schema";
import { renderTemplate, templateRefs, type TemplateRef } from "../flow/template";
import type { ValidFlow } from "../flow/valid-flow";
import { DEFAULT_MODEL_LIMITS } from "../governor/defaults";
import type { LimitsTable } from "../governor/port";
import { costOf, DEFAULT_PRICES } from "../governor/prices";
import { addUsd, isAiNode, mediaOf, roundUsd, runCostUsd } from "../governor/run-cost";
import type { Caller } from "./api";
import type { BatchContext } from "./context";
import { callDurationMs, makespanMs, mapRange, outputTokensPerCall, rowDurationMs, type ModelLoad, type Range } from "./estimate-math";
import { engineFor } from "./row-task";
import { validateCreateJob } from "./validate";

/** Rows whose prompts are all rendered and counted; larger batches are sampled. */
export const SAMPLE_ROWS = 200;
export const MAX_DRY_RUN_ROWS = 10;
/** Token counts in flight at once (the provider's counter is a network call per prompt). */
const COUNT_PARALLELISM = 8;

export const EstimateInputSchema = z.object({
  flow: z.unknown(),
  columns: z.array(z.string()),
  /** Every row, or a sample of `totalRows` rows. */
  rows: z.array(z.record(z.string(), z.string())),
  totalRows: z.number().int().positive().optional(),
  concurrency: z.number().int().optional(),
  /** Run the flow on the first k rows first (real AI calls, reported in `dryRun`). */
  dryRunRows: z.number().int().min(0).max(MAX_DRY_RUN_ROWS).optional(),
  /** Seed of the row sample (same input, same seed: same estimate). */
  seed: z.number().int().optional(),
});
export type EstimateInput = z.infer<typeof EstimateInputSchema>;

export interface NodeEstimate {
  nodeId: string;
  type: AiNode["type"];
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: Range;
  costUsd: Range;
  /** False when the price table has no price for the model: its cost counts 0. */
  priced: boolean;
}

export interface BatchEstimate {
  rows: number;
  calls: number;
  inputTokens: number;
  outputTokens: Range;
  costUsd: Range;
  /** The same batch in economy mode (batched text calls at the batch price, the rest at the standard one); null when it has nothing to batch. */
  economyCostUsd: Range | null;
  durationMs: Range;
  /** True when the prompts of a sample of rows were counted and scaled up. */
  sampled: boolean;
  sampleRows: number;
  /** `provider`: every text prompt counted by the provider; `approximate`: some by chars/4. */
  tokenCounter: "provider" | "approximate";
  priceTableVersion: string;
  perNode: NodeEstimate[];
  /** The dry run's real spend, when one was asked for. */
  dryRun?: { rows: number; failedRows: number; costUsd: number; usage: Usage };
}

export async function estimateBatch(ctx: BatchContext, caller: Caller, raw: unknown): Promise<BatchEstimate> {
  const parsed = EstimateInputSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(input)", message: i.message }));
    throw new ValidationError("The estimate request is malformed", details);
  }
  const input = parsed.data;
  const { flow, concurrency } = validateCreateJob(
    { ownerId: caller.ownerId, flow: input.flow, columns: input.columns, rows: input.rows, concurrency: input.concurrency },
    ctx.deps.limits,
  );
  const rows = Math.max(input.totalRows ?? 0, input.rows.length);
  const sample = sampleRows(input.rows, input.seed ?? 1);
  const aiNodes = flow.nodes.filter(isAiNode);
  const dry = input.dryRunRows ? await dryRun(ctx, flow, input.rows.slice(0, input.dryRunRows)) : undefined;
  const outPerCall = new Map(aiNodes.map((n) => [n.id, outputTokensPerCall(n, dry?.outputs.get(n.id))]));
  const counted = await countInputs(ctx.deps.ai, flow, sample, outPerCall);
  const scale = rows / sample.length;
  const table = ctx.deps.prices ?? DEFAULT_PRICES;
  const perNode = aiNodes.map((node): NodeEstimate => {
    const calls = rows;
    const inputTokens = Math.round((counted.tokens.get(node.id) ?? 0) * scale);
    // Counted with the upstream answers at their expected length; low / high take theirs.
    const standIn = standInTokens(node, outPerCall);
    const inputAt = mapRange((l) => Math.max(0, inputTokens + (standIn[l] - standIn.expected) * calls));
    const out = outPerCall.get(node.id) ?? { low: 0, expected: 0, high: 0 };
    const outputTokens = mapRange((l) => out[l] * calls);
    const price = (l: keyof Range) =>
      costOf(
        node.data.model,
        { usage: { inputTokens: inputAt[l], outputTokens: outputTokens[l] }, requests: calls, ...scaleMedia(mediaOf(node), calls) },
        table,
      );
    return {
      nodeId: node.id,
      type: node.type,
      model: node.data.model,
      calls,
      inputTokens,
      outputTokens,
      costUsd: mapRange((l) => price(l).usd),
      priced: price("high").known,
    };
  });
  const limits = await modelLimits(ctx, aiNodes);
  const durationMs = mapRange((level) => {
    const callMs = new Map(aiNodes.map((n) => [n.id, callDurationMs(n, outPerCall.get(n.id) as Range, level)]));
    const rowMs = dry?.rowMs[level] ?? rowDurationMs(flow, callMs);
    return makespanMs({ rows, concurrency, rowMs, loads: modelLoads(perNode, callMs), limits });
  });
  const sum = (f: (n: NodeEstimate) => number): number => perNode.reduce((a, n) => a + f(n), 0);
  return {
    rows,
    calls: sum((n) => n.calls),
    inputTokens: sum((n) => n.inputTokens),
    outputTokens: mapRange((l) => sum((n) => n.outputTokens[l])),
    costUsd: mapRange((l) => roundUsd(sum((n) => n.costUsd[l]))),
    economyCostUsd: economyCostRange(flow, perNode),
    durationMs,
    sampled: sample.length < rows,
    sampleRows: sample.length,
    tokenCounter: counted.approximate ? "approximate" : "provider",
    priceTableVersion: table.version,
    perNode,
    ...(dry ? { dryRun: dry.summary } : {}),
  };
}

function scaleMedia(m: ReturnType<typeof mediaOf>, calls: number): ReturnType<typeof mediaOf> {
  return { ...(m.images !== undefined ? { images: m.images * calls } : {}), ...(m.videoSeconds !== undefined ? { videoSeconds: m.videoSeconds * calls } : {}) };
}

/** Every row up to SAMPLE_ROWS; beyond, SAMPLE_ROWS distinct rows drawn with a seeded shuffle. */
export function sampleRows<T>(rows: readonly T[], seed: number): T[] {
  if (rows.length <= SAMPLE_ROWS) return [...rows];
  const rng = new SeededRandom(seed);
  const idx = rows.map((_, i) => i);
  for (let i = 0; i < SAMPLE_ROWS; i++) {
    const j = rng.int(i, idx.length - 1);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, SAMPLE_ROWS).map((i) => rows[i] as T);
}

/** Upstream AI output stand-in: `expected` tokens of text ("word " is one token in Gemini's tokenizer). */
const placeholder = (tokens: number): string => "word ".repeat(Math.max(0, tokens)).trimEnd();

/** Tokens of stand-in text one call of `node` carries for its upstream AI answers, per level. */
function standInTokens(node: AiNode, outPerCall: ReadonlyMap<string, Range>): Range {
  const templates = [node.data.prompt, ...(node.type === "text" && node.data.system !== undefined ? [node.data.system] : [])];
  const refs = templates.flatMap((t) => templateRefs(t));
  return mapRange((l) =>
    refs.reduce((n, ref) => {
      const out = outPerCall.get(ref.node)?.[l] ?? 0;
      return n + (ref.path.length > 0 ? Math.ceil(out / 4) : out);
    }, 0),
  );
}

function renderPrompts(
  flow: Flow,
  row: Readonly<Record<string, string>>,
  node: AiNode,
  outPerCall: ReadonlyMap<string, Range>,
): { prompt: string; system?: string } {
  const byId = new Map<string, FlowNode>(flow.nodes.map((n) => [n.id, n]));
  const lookup = (ref: TemplateRef): string => {
    const src = byId.get(ref.node);
    if (src?.type === "input") return row[src.data.column] ?? "";
    const out = outPerCall.get(ref.node)?.expected ?? 0;
    // A field of a JSON answer is a part of it; a quarter is the planning figure.
    return placeholder(ref.path.length > 0 ? Math.ceil(out / 4) : out);
  };
  const prompt = renderTemplate(node.data.prompt, lookup);
  if (node.type === "text" && node.data.system !== undefined) return { prompt, system: renderTemplate(node.data.system, lookup) };
  return { prompt };
}

interface Counted {
  tokens: Map<string, number>;
  approximate: boolean;
}

/** Input tokens per AI node summed over the sample rows. */
async function countInputs(ai: AiService, flow: Flow, sample: readonly Record<string, string>[], outPerCall: ReadonlyMap<string, Range>): Promise<Counted> {
  const jobs: Array<{ node: AiNode; prompt: string; system?: string }> = [];
  for (const row of sample) for (const node of flow.nodes.filter(isAiNode)) jobs.push({ node, ...renderPrompts(flow, row, node, outPerCall) });
  const tokens = new Map<string, number>();
  let useProvider = ai.countTokens !== undefined;
  let approximate = false;
  const countOne = async (j: (typeof jobs)[number]): Promise<number> => {
    const approx = estimateTokens(j.prompt) + estimateTokens(j.system ?? "");
    if (j.node.type !== "text") return approx;
    if (!useProvider || !ai.countTokens) {
      approximate = true;
      return approx;
    }
    try {
      return await ai.countTokens({ model: j.node.data.model, prompt: j.prompt, ...(j.system !== undefined ? { system: j.system } : {}) });
    } catch {
      // One refusal (no key, offline) means the rest would fail too: approximate from here on.
      useProvider = false;
      approximate = true;
      return approx;
    }
  };
  for (let i = 0; i < jobs.length; i += COUNT_PARALLELISM) {
    const slice = jobs.slice(i, i + COUNT_PARALLELISM);
    const counts = await Promise.all(slice.map(countOne));
    slice.forEach((j, k) => tokens.set(j.node.id, (tokens.get(j.node.id) ?? 0) + (counts[k] ?? 0)));
  }
  return { tokens, approximate };
}

function modelLoads(perNode: readonly NodeEstimate[], callMs: ReadonlyMap<string, number>): ModelLoad[] {
  const loads = new Map<string, ModelLoad>();
  for (const n of perNode) {
    const l = loads.get(n.model) ?? { model: n.model, calls: 0, inputTokens: 0, busyMs: 0 };
    l.calls += n.calls;
    l.inputTokens += n.inputTokens;
    l.busyMs += n.calls * (callMs.get(n.nodeId) ?? 0);
    loads.set(n.model, l);
  }
  return [...loads.values()];
}

/** The limits in force: the host's governor when it has one, else the documented defaults. */
async function modelLimits(ctx: BatchContext, nodes: readonly AiNode[]): Promise<LimitsTable> {
  const governor = ctx.deps.engine?.governor;
  if (!governor) return DEFAULT_MODEL_LIMITS;
  const table: LimitsTable = {};
  for (const model of new Set(nodes.map((n) => n.data.model))) table[model] = (await governor.status(model)).limits;
  return table;
}

interface DryRun {
  outputs: Map<string, number[]>;
  rowMs: Range;
  summary: NonNullable<BatchEstimate["dryRun"]>;
}

/** Runs the flow on `rows` through the engine (real calls, governed like batch rows). */
async function dryRun(ctx: BatchContext, flow: ValidFlow, rows: readonly Record<string, string>[]): Promise<DryRun> {
  const engine = engineFor(ctx);
  const outputs = new Map<string, number[]>();
  const durations: number[] = [];
  let usage: Usage = { ...ZERO_USAGE };
  let costUsd = 0;
  let failedRows = 0;
  for (const row of rows) {
    const run = await engine.execute({ flow, row, deadline: ctx.deps.clock.now() + ctx.deps.limits.rowTimeoutMs });
    durations.push(run.durationMs);
    usage = addUsage(usage, run.usage);
    costUsd = addUsd(costUsd, runCostUsd(flow, run.trace, ctx.deps.prices));
    if (run.status === "failed") failedRows += 1;
    for (const [id, t] of Object.entries(run.trace)) {
      if (t.status === "succeeded" && t.usage) outputs.set(id, [...(outputs.get(id) ?? []), t.usage.outputTokens]);
    }
  }
  const mean = durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length);
  return {
    outputs,
    rowMs: { low: Math.min(...durations), expected: mean, high: Math.max(...durations) },
    summary: { rows: rows.length, failedRows, costUsd, usage },
  };
}

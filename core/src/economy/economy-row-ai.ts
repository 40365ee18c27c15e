/**
 * The AI service a row task of an economy job runs the engine with: text calls whose request has
 * a stored answer (`economy_items` of this pass, row and node, matched by the request's SHA-256)
 * return it without calling anyone; everything else (image and video calls, fallback items, nodes
 * the layers did not batch) goes to the realtime service through the governor, as a realtime row
 * would. The row is then built, stored and counted exactly as a realtime row.
 *
 * - `answer` → the provider's text, JSON and usage (the node is billed at the batch price).
 * - `error` that is permanent → thrown: the node fails as in realtime, so "retry failed rows"
 *   re-runs it. A retryable item error is retried the realtime way: the call goes realtime.
 * - `fallback`, or no item → a realtime call at the standard price.
 */
import type { AiService, ImageRequest, TextRequest, TextResult, VideoRequest } from "../ai/port";
import { type ErrorInfo, PermanentError } from "../errors";
import type { Flow } from "../flow/schema";
import { estimateTokens, governedCall } from "../governor/governed-call";
import type { Governor, JobCallLimits } from "../governor/port";
import type { PriceTable } from "../governor/prices";
import { DEFAULT_PRICES } from "../governor/prices";
import { nodeCallCost, roundUsd, runCostUsd } from "../governor/run-cost";
import type { NodeTrace } from "../engine/types";
import type { Clock } from "../ports/clock";
import type { DocumentStore } from "../ports/store";
import { BATCH_PRICE_FACTOR } from "./economy-cost";
import { type EconomyItem, readEconomyItems, requestHash } from "./economy-items";
import { textLayers } from "./layer-plan";

export interface EconomyRowAiInput {
  store: Pick<DocumentStore, "getAll">;
  ai: AiService;
  clock: Clock;
  jobId: string;
  pass: number;
  rowIndex: number;
  flow: Flow;
  /** The governor realtime calls go through (absent: straight to the provider). */
  governor?: { governor: Governor; maxWaitMs: number; job?: { id: string; limits?: JobCallLimits }; deadline?: number };
}

export interface EconomyRowAi {
  ai: AiService;
  /** Text nodes answered from a provider batch job in this run. */
  batched: ReadonlySet<string>;
}

export async function economyRowAi(input: EconomyRowAiInput): Promise<EconomyRowAi> {
  const nodeIds = textLayers(input.flow).flatMap((l) => l.nodeIds);
  const items = await readEconomyItems(
    input.store,
    input.jobId,
    input.pass,
    nodeIds.map((nodeId) => ({ rowIndex: input.rowIndex, nodeId })),
  );
  const byHash = new Map<string, EconomyItem>();
  for (const item of items) if (!byHash.has(item.requestHash)) byHash.set(item.requestHash, item);
  const batched = new Set<string>();
  const inner = input.ai;
  const realtime = <T>(
    kind: "text" | "image" | "video",
    req: { model: string; prompt: string; system?: string; signal?: AbortSignal },
    run: () => Promise<T>,
    tokensOf: (r: T) => number | undefined,
  ): Promise<T> => {
    const g = input.governor;
    if (!g) return run();
    return governedCall({
      governor: g.governor,
      clock: input.clock,
      signal: req.signal ?? new AbortController().signal,
      maxWaitMs: g.maxWaitMs,
      model: req.model,
      kind,
      estimatedTokens: estimateTokens(req.prompt, req.system),
      run,
      tokensOf,
      ...(g.job ? { job: g.job } : {}),
      ...(g.deadline !== undefined ? { deadline: g.deadline } : {}),
    });
  };
  const inputTokens = (r: { usage: { inputTokens: number } }) => r.usage.inputTokens || undefined;
  const ai: AiService = {
    name: inner.name,
    async generateText(req: TextRequest): Promise<TextResult> {
      const item = byHash.get(requestHash(req));
      if (item?.kind === "answer") {
        batched.add(item.nodeId);
        return {
          text: item.text ?? "",
          ...(item.json !== undefined ? { json: item.json } : {}),
          usage: item.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
          model: item.model ?? req.model,
        };
      }
      if (item?.kind === "error" && item.error && !item.error.retryable) throw itemError(item.error);
      return realtime("text", req, () => inner.generateText(req), inputTokens);
    },
    generateImage: (req: ImageRequest) => realtime("image", req, () => inner.generateImage(req), inputTokens),
    generateVideo: (req: VideoRequest) => realtime("video", req, () => inner.generateVideo(req), inputTokens),
    ...(inner.countTokens ? { countTokens: inner.countTokens.bind(inner) } : {}),
  };
  return { ai, batched };
}

function itemError(info: ErrorInfo): PermanentError {
  return new PermanentError(info.code, info.message, info.details);
}

/** The row's cost: nodes answered from a batch job at the batch price, the rest at the standard one. */
export function economyRunCostUsd(
  flow: Flow,
  trace: Readonly<Record<string, NodeTrace>>,
  batched: ReadonlySet<string>,
  table: PriceTable = DEFAULT_PRICES,
): number {
  let discount = 0;
  for (const node of flow.nodes) {
    const t = trace[node.id];
    if (node.type !== "text" || !t || t.status !== "succeeded" || !batched.has(node.id)) continue;
    discount += nodeCallCost(node, t.usage ? { usage: t.usage } : {}, table, t.model) * (1 - BATCH_PRICE_FACTOR);
  }
  return roundUsd(runCostUsd(flow, trace, table) - discount);
}

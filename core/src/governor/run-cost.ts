/**
 * The cost of one run of a flow over one row, from its node traces: each AI node that succeeded
 * is priced by its model (tokens from the trace's usage, one image per image node, the requested
 * seconds per video node). Nodes resumed from a checkpoint cost nothing here: their cost was
 * recorded by the attempt that produced them. Failed calls are not billed by the provider.
 */
import type { NodeTrace } from "../engine/types";
import type { AiNode, Flow, FlowNode } from "../flow/schema";
import { costOf, DEFAULT_PRICES, type BilledUsage, type PriceTable } from "./prices";

/** Veo's clip length when a video node does not ask for one (the API's default). */
export const DEFAULT_VIDEO_SECONDS = 8;

export function isAiNode(n: FlowNode): n is AiNode {
  switch (n.type) {
    case "text":
    case "image":
    case "video":
      return true;
    case "input":
    case "output":
      return false;
  }
}

/** What a node's successful call is billed for besides its tokens. */
export function mediaOf(node: AiNode): Pick<BilledUsage, "images" | "videoSeconds"> {
  switch (node.type) {
    case "text":
      return {};
    case "image":
      return { images: 1 };
    case "video":
      return { videoSeconds: node.data.durationSeconds ?? DEFAULT_VIDEO_SECONDS };
  }
}

/**
 * USD of one call of `node`. The served model (`servedModel`, e.g. a dated version the provider
 * reports) is priced when the table knows it, else the model the node asked for. Unknown models
 * count 0: the cost shown is then a lower bound.
 */
export function nodeCallCost(node: AiNode, billed: Pick<BilledUsage, "usage">, table: PriceTable, servedModel?: string): number {
  const full: BilledUsage = { ...billed, ...mediaOf(node), requests: 1 };
  const served = servedModel !== undefined && table.models[servedModel] ? costOf(servedModel, full, table) : null;
  return (served ?? costOf(node.data.model, full, table)).usd;
}

export function runCostUsd(flow: Flow, trace: Readonly<Record<string, NodeTrace>>, table: PriceTable = DEFAULT_PRICES): number {
  let usd = 0;
  for (const node of flow.nodes) {
    const t = trace[node.id];
    if (!t || t.status !== "succeeded" || !isAiNode(node)) continue;
    usd += nodeCallCost(node, t.usage ? { usage: t.usage } : {}, table, t.model);
  }
  return roundUsd(usd);
}

/** Sums of money kept to 1e-9 USD, so float noise never shows up in totals. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

export function addUsd(a: number, b: number): number {
  return roundUsd(a + b);
}

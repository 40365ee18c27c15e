/**
 * What a batch costs in economy mode, and what the same work would have cost realtime. The batch
 * price is the standard price times `BATCH_PRICE_FACTOR`: Gemini's Batch API bills batch requests
 * at 50% of the standard (interactive) price (ai.google.dev/gemini-api/docs/batch-mode, checked
 * 2026-12). Fallback items ran realtime and pay the full price.
 */
import type { PriceTable } from "../governor/prices";
import { DEFAULT_PRICES } from "../governor/prices";
import { nodeCallCost, roundUsd } from "../governor/run-cost";
import type { Flow } from "../flow/schema";
import type { RowTextRun } from "./layer-run";

export const BATCH_PRICE_FACTOR = 0.5;

export interface EconomyCost {
  /** What was billed: batch items at the batch price, fallback items at the standard price. */
  costUsd: number;
  /** The same calls, all at the standard price. */
  realtimeCostUsd: number;
}

/** Cost of one row's text calls (nodes in `run.fellBack` ran realtime and pay the full price). */
export function economyRowCost(flow: Flow, run: RowTextRun, table: PriceTable = DEFAULT_PRICES): EconomyCost {
  let costUsd = 0;
  let realtimeCostUsd = 0;
  for (const node of flow.nodes) {
    const usage = run.usage.get(node.id);
    if (node.type !== "text" || !usage || !run.nodeOutputs.has(node.id)) continue;
    const full = nodeCallCost(node, { usage }, table);
    realtimeCostUsd += full;
    costUsd += run.fellBack.has(node.id) ? full : full * BATCH_PRICE_FACTOR;
  }
  return { costUsd: roundUsd(costUsd), realtimeCostUsd: roundUsd(realtimeCostUsd) };
}

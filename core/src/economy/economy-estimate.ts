/**
 * The estimate's economy figure: what the same batch would cost in economy mode, beside the
 * realtime figure. Batched text calls go at the batch price (standard × BATCH_PRICE_FACTOR); the
 * steps that stay realtime (image and video nodes, text nodes below them; see `economyPlan`) at
 * the standard price. A flow economy cannot help (nothing to batch) has no economy figure (null).
 */
import { mapRange, type Range } from "../batch/estimate-math";
import type { Flow } from "../flow/schema";
import { roundUsd } from "../governor/run-cost";
import { BATCH_PRICE_FACTOR } from "./economy-cost";
import { economyPlan } from "./economy-mode";

export function economyCostRange(flow: Pick<Flow, "nodes" | "edges">, perNode: ReadonlyArray<{ nodeId: string; costUsd: Range }>): Range | null {
  const batched = new Set(economyPlan(flow).batched);
  if (batched.size === 0) return null;
  const factor = (nodeId: string): number => (batched.has(nodeId) ? BATCH_PRICE_FACTOR : 1);
  return mapRange((l) => roundUsd(perNode.reduce((a, n) => a + n.costUsd[l] * factor(n.nodeId), 0)));
}

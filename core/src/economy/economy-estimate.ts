/**
 * The estimate's economy figure: what the same batch would cost in economy mode, beside the
 * realtime figure. Text calls go at the batch price (standard × BATCH_PRICE_FACTOR); a flow the
 * economy mode cannot run (image or video nodes) has no economy figure (null).
 */
import { mapRange, type Range } from "../batch/estimate-math";
import type { Flow } from "../flow/schema";
import { roundUsd } from "../governor/run-cost";
import { BATCH_PRICE_FACTOR } from "./economy-cost";
import { economyUnsupportedNodes } from "./economy-mode";

export function economyCostRange(flow: Pick<Flow, "nodes">, perNode: ReadonlyArray<{ type: string; costUsd: Range }>): Range | null {
  if (economyUnsupportedNodes(flow).length > 0) return null;
  const factor = (type: string): number => (type === "text" ? BATCH_PRICE_FACTOR : 1);
  return mapRange((l) => roundUsd(perNode.reduce((a, n) => a + n.costUsd[l] * factor(n.type), 0)));
}

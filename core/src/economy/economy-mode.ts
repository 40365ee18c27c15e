/**
 * The batch mode: `realtime` (one provider call per step, as it runs; the default) or `economy`
 * (text steps through provider batch jobs, layer by layer, at the batch price). Also owns which
 * flows the economy mode can run: the layer runner takes text flows only (input, text and output
 * nodes), so a flow with image or video nodes is refused at create, naming the nodes.
 */
import { z } from "zod";
import type { ErrorDetail } from "../errors";
import type { Flow } from "../flow/schema";

export const JobMode = z.enum(["realtime", "economy"]);
export type JobMode = z.infer<typeof JobMode>;

/** Node types the economy layer runner can run (everything else needs the realtime row tasks). */
const ECONOMY_NODE_TYPES: ReadonlySet<string> = new Set(["input", "text", "output"]);

/** The nodes an economy batch cannot run yet, in flow order. */
export function economyUnsupportedNodes(flow: Pick<Flow, "nodes">): Array<{ id: string; type: string }> {
  return flow.nodes.filter((n) => !ECONOMY_NODE_TYPES.has(n.type)).map((n) => ({ id: n.id, type: n.type }));
}

/** Why an economy batch cannot run this flow (path `mode`), or none when it can. */
export function economyFlowProblems(flow: Pick<Flow, "nodes">): ErrorDetail[] {
  const nodes = economyUnsupportedNodes(flow);
  if (nodes.length === 0) return [];
  const list = nodes.map((n) => `"${n.id}" (${n.type})`).join(", ");
  return [
    {
      path: "mode",
      message: `economy mode runs text flows only (input, text and output nodes); this flow has ${list}: run it in realtime mode`,
    },
  ];
}

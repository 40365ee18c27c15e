/**
 * `ValidFlow`: a flow that passed `parseFlow`, carrying what validation computed (its graph and
 * its nodes by id), so nothing downstream checks or builds it again. The engine accepts only this
 * type, and a batch parses its stored flow once per instance (`jobFlow`).
 *
 * The graph sits under a module-private symbol, as a non-enumerable property: JSON, structured
 * clones, store writes and object spreads never see it, so a stored flow is exactly what the user
 * sent. The flip side: a copy (`{...flow}`) is no longer valid at run time, even though TypeScript
 * still types it as one; `flowPlan` then throws rather than run an unchecked flow.
 */
import { ValidationError } from "../errors";
import type { FlowGraph } from "./graph";
import type { Flow, FlowNode } from "./schema";

const PLAN: unique symbol = Symbol("flowcraft.validFlow");

/** What validation knows about a flow: its graph (acyclic, edges deduplicated) and nodes by id. */
export interface FlowPlan {
  readonly graph: FlowGraph;
  readonly nodes: ReadonlyMap<string, FlowNode>;
}

export type ValidFlow = Flow & { readonly [PLAN]: FlowPlan };

/** Brands a flow that just passed every check (only `parseFlow` calls this). */
export function brandValidFlow(flow: Flow, graph: FlowGraph): ValidFlow {
  const nodes = new Map<string, FlowNode>();
  for (const node of flow.nodes) if (!nodes.has(node.id)) nodes.set(node.id, node);
  Object.defineProperty(flow, PLAN, { value: { graph, nodes } satisfies FlowPlan, enumerable: false });
  return flow as ValidFlow;
}

/** True for the object `parseFlow` returned (not for a copy of it). */
export function isValidFlow(flow: Flow): flow is ValidFlow {
  return Object.prototype.hasOwnProperty.call(flow, PLAN);
}

/** The flow's graph and nodes; throws `invalid_flow` for a flow that did not come from parseFlow. */
export function flowPlan(flow: ValidFlow): FlowPlan {
  if (!isValidFlow(flow)) {
    throw new ValidationError(
      "Invalid flow: it was not validated (pass the flow parseFlow returned, not a copy)",
      [{ path: "flow", message: "not validated by parseFlow" }],
      "invalid_flow",
    );
  }
  return flow[PLAN];
}

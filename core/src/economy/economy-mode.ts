/**
 * The batch mode: `realtime` (one provider call per step, as it runs; the default) or `economy`
 * (text steps through provider batch jobs, layer by layer, at the batch price). Also owns which
 * steps of a flow an economy batch sends through provider batch jobs and which stay realtime:
 *
 * - a text node with no image or video node above it is *batched*: its prompt renders from the
 *   CSV row and the answers of the text nodes above it, so it goes out in its layer's provider job;
 * - image and video nodes run realtime in the row tasks, as soon as their inputs are ready (the
 *   Batch API route is for text requests here);
 * - a text node below an image or video node waits for that step (in realtime it runs only once the
 *   step succeeded, and is skipped when it failed), which runs in the row task: so it runs realtime
 *   in the row task too, at the standard price, and the economy result equals the realtime one.
 *
 * A flow with no batched text node is refused in economy mode at create: economy would have
 * nothing to batch and cost what realtime costs, only later.
 */
import { z } from "zod";
import type { ErrorDetail } from "../errors";
import type { Flow } from "../flow/schema";
import { textLayers } from "./layer-plan";

export const JobMode = z.enum(["realtime", "economy"]);
export type JobMode = z.infer<typeof JobMode>;

/** Node types that run realtime in an economy batch's row tasks (the media nodes). */
const REALTIME_NODE_TYPES: ReadonlySet<string> = new Set(["image", "video"]);

export function isMediaNodeType(type: string): boolean {
  return REALTIME_NODE_TYPES.has(type);
}

/** A step of an economy batch that runs realtime in the row task, and why. */
export interface RealtimeStep {
  id: string;
  type: string;
  /** `media`: an image or video node; `below-media`: a text node with one above it. */
  reason: "media" | "below-media";
}

export interface EconomyPlan {
  /** Text nodes that go through provider batch jobs, in flow order. */
  batched: string[];
  /** Steps that run realtime in the row tasks (standard price), in flow order. */
  realtime: RealtimeStep[];
}

/** Which steps an economy batch of this flow batches and which it runs realtime. */
export function economyPlan(flow: Pick<Flow, "nodes" | "edges">): EconomyPlan {
  const layered = new Set(textLayers(flow).flatMap((l) => l.nodeIds));
  const batched: string[] = [];
  const realtime: RealtimeStep[] = [];
  for (const n of flow.nodes) {
    if (isMediaNodeType(n.type)) realtime.push({ id: n.id, type: n.type, reason: "media" });
    else if (n.type === "text" && layered.has(n.id)) batched.push(n.id);
    else if (n.type === "text") realtime.push({ id: n.id, type: n.type, reason: "below-media" });
  }
  return { batched, realtime };
}

/** The media nodes of a flow (image and video), in flow order. */
export function mediaNodes(flow: Pick<Flow, "nodes">): Array<{ id: string; type: string }> {
  return flow.nodes.filter((n) => isMediaNodeType(n.type)).map((n) => ({ id: n.id, type: n.type }));
}

/** Why an economy batch cannot help with this flow (path `mode`), or none when it can. */
export function economyFlowProblems(flow: Pick<Flow, "nodes" | "edges">): ErrorDetail[] {
  const plan = economyPlan(flow);
  if (plan.batched.length > 0) return [];
  const below = plan.realtime.filter((s) => s.reason === "below-media");
  const why =
    below.length === 0
      ? "this flow has no text step"
      : `every text step waits for an image or video step and runs realtime in its row (${below.map((s) => `"${s.id}"`).join(", ")})`;
  return [{ path: "mode", message: `economy mode has nothing to batch: ${why}; run it in realtime mode` }];
}

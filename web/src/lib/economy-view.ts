/**
 * What the web app shows about the economy mode (README "Economy mode"): whether it can help a flow
 * (and which steps stay realtime), and, for an economy job, its per-layer provider batch jobs as stored in
 * `job.economy` (core/src/economy/economy-progress.ts). The job reaches the app unparsed from a
 * Firestore snapshot and as JSON from the local API, so `economyOf` parses it here with the core
 * schema: a malformed progress shows no panel instead of breaking the batch view. Pure: time
 * comes in as an argument.
 */
import type { Job } from "@core/batch/model";
import { isPassOpen } from "@core/batch/statuses";
import { type EconomyPlan, economyPlan, type RealtimeStep } from "@core/economy/economy-mode";
import { textLayers } from "@core/economy/layer-plan";
import { EconomyProgress, LAYER_STATE_NAMES, type LayerSummary } from "@core/economy/economy-progress";
import type { Flow } from "@core/flow/schema";

/** The run dialog's trade-off, in one place so the dialog and its tests say the same. */
export const ECONOMY_TRADE_OFF = ["About 50% cheaper.", "Results can take up to 24 h.", "Progress moves layer by layer."] as const;

export type EconomyChoice =
  | {
      available: true;
      /** Steps that stay realtime in an economy batch (image / video steps and text steps below one). */
      realtime: RealtimeStep[];
      /** Says which steps stay realtime and why; null when every AI step is batched. */
      note: string | null;
    }
  | { available: false; reason: string };

/**
 * Whether economy mode can help the flow (the editor's JSON), and which steps stay realtime: the
 * core's plan (`economyPlan`), the same rule as the server's create check, over the nodes' ids
 * and types and the edges.
 */
export function economyChoice(flow: unknown): EconomyChoice {
  const raw = (flow as { nodes?: unknown; edges?: unknown } | null) ?? {};
  const nodes = (Array.isArray(raw.nodes) ? raw.nodes : []).filter(
    (n): n is { id: string; type: string } => typeof (n as { id?: unknown }).id === "string" && typeof (n as { type?: unknown }).type === "string",
  );
  const edges = (Array.isArray(raw.edges) ? raw.edges : []).filter(
    (e): e is { source: string; target: string } =>
      typeof (e as { source?: unknown }).source === "string" && typeof (e as { target?: unknown }).target === "string",
  );
  const graph = { nodes: nodes as unknown as Flow["nodes"], edges: edges as unknown as Flow["edges"] };
  let plan: EconomyPlan;
  try {
    plan = economyPlan(graph);
  } catch {
    // A cycle: the editor and the create check report it; the mode choice has nothing to add.
    return { available: true, realtime: [], note: null };
  }
  const list = plan.realtime.map((s) => `${s.id} (${s.type}${s.reason === "below-media" ? ", after an image or video step" : ""})`).join(", ");
  // The server refuses exactly this (`economyFlowProblems`): no text step goes through a batch job.
  if (plan.batched.length === 0) {
    const why = plan.realtime.some((s) => s.reason === "below-media") ? `every AI step of this flow runs realtime: ${list}` : "this flow has no text step";
    return { available: false, reason: `Economy mode has nothing to batch: ${why}.` };
  }
  if (plan.realtime.length === 0) return { available: true, realtime: [], note: null };
  return {
    available: true,
    realtime: plan.realtime,
    note: `Stays realtime, at the standard price: ${list}. The other text steps go through provider batch jobs.`,
  };
}

/** The job's economy progress, parsed; null for a realtime job, before the first submit, or when malformed. */
export function economyOf(job: Pick<Job, "mode"> & { economy?: unknown }): EconomyProgress | null {
  if (job.mode !== "economy" || job.economy === undefined || job.economy === null) return null;
  const parsed = EconomyProgress.safeParse(job.economy);
  return parsed.success ? parsed.data : null;
}

const STATE_LABELS: Record<string, string> = {
  submitting: "submitting",
  pending: "pending",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  expired: "expired",
  fallback: "fell back to realtime",
  settled: "settled",
};

export interface LayerStateCount {
  state: string;
  label: string;
  count: number;
}

/** A layer's provider job states with a count, in lifecycle order; states this app does not know come last, by name. */
export function layerStates(layer: Pick<LayerSummary, "states">): LayerStateCount[] {
  const known: readonly string[] = LAYER_STATE_NAMES;
  const rank = (s: string): number => (known.includes(s) ? known.indexOf(s) : known.length);
  return Object.entries(layer.states)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([state, count]) => ({ state, label: STATE_LABELS[state] ?? state, count }));
}

/** "waiting for 40 s", "waiting for 3 min", "waiting for 2 h 5 min"; empty when nothing waits. */
export function waitingText(waitingSince: number | null, now: number): string {
  if (waitingSince === null) return "";
  const s = Math.max(0, Math.floor((now - waitingSince) / 1000));
  if (s < 60) return `waiting for ${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `waiting for ${min} min`;
  const h = Math.floor(min / 60);
  return `waiting for ${h} h${min % 60 > 0 ? ` ${min % 60} min` : ""}`;
}

/** The job still has provider batch jobs that are not settled (its unfinished rows wait on them). */
export function waitsOnProvider(job: Pick<Job, "status" | "mode"> & { economy?: unknown }): boolean {
  if (!isPassOpen(job.status)) return false;
  const economy = economyOf(job);
  return economy !== null && economy.layers.some((l) => !l.done);
}

/** Layer n (0-based in the data) as people count it. */
export const layerName = (layer: number): string => `Layer ${layer + 1}`;

/** Text node ids per layer from the job's flow snapshot (layer → ids); empty when the snapshot cannot be read. */
export function layerNodes(flowConfig: { nodes: unknown[]; edges: unknown[] }): Map<number, string[]> {
  try {
    return new Map(textLayers(flowConfig as unknown as Pick<Flow, "nodes" | "edges">).map((l) => [l.layer, l.nodeIds]));
  } catch {
    return new Map();
  }
}

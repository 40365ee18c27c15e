/**
 * Runs the text nodes of a flow over many rows layer by layer through provider batch jobs, on the
 * durable records of provider-jobs.ts: for each layer, the rows whose inputs are all ready get one
 * request per text node, grouped per model (layer-plan.ts), submitted, polled until settled, and
 * their answers become the node outputs of the next layer's prompts. Items that fall back run
 * realtime through `ai.generateText`; per-item errors fail that row's node (and skip what depends
 * on it), as in the engine.
 *
 * Scope: flows of input, text and output nodes. This driver waits between polls with
 * `clock.sleep`, which suits the simulator, tests and a single local process; a serverless host
 * runs the same steps (submit, poll, settle) from delayed tasks instead. Because display names are
 * deterministic, running it again after a crash (same job, pass, rows) adopts the provider jobs
 * already made instead of creating new ones.
 */
import { addUsage, type AiService, type Usage, ZERO_USAGE } from "../ai/port";
import type { BatchItemOutcome, ProviderBatchJobs } from "../ai/batch-port";
import { type ErrorInfo, FlowcraftError, PermanentError, toErrorInfo } from "../errors";
import { checkJsonOutput } from "../engine/output-check";
import { inputNodeOutput, renderWith } from "../engine/run-node";
import type { NodeOutput } from "../engine/types";
import { buildGraph, ancestors } from "../flow/graph";
import type { Flow, TextNode } from "../flow/schema";
import type { Clock } from "../ports/clock";
import type { DocumentStore } from "../ports/store";
import { mediaNodes } from "./economy-mode";
import { groupRequests, type PendingTextRequest, textLayers } from "./layer-plan";
import { pollProviderJob, settleProviderJob, submitProviderJob } from "./provider-jobs";

export interface LayerRunDeps {
  store: DocumentStore;
  batches: ProviderBatchJobs;
  /** Realtime calls for items that fall back. */
  ai: Pick<AiService, "generateText">;
  clock: Clock;
}

export interface LayerRunInput {
  jobId: string;
  pass: number;
  flow: Flow;
  rows: ReadonlyArray<{ rowId: string; values: Record<string, string> }>;
  fallback?: boolean;
  deadlineMs?: number;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Request bytes per provider job (default: the provider's `maxJobRequestBytes`). */
  maxBytes?: number;
}

export interface RowTextRun {
  /** Node id → output, for every input and text node that completed. */
  nodeOutputs: Map<string, NodeOutput>;
  usage: Map<string, Usage>;
  /** Node id → why it failed or was skipped. */
  errors: Map<string, ErrorInfo>;
  /** Text nodes whose call ran realtime (their provider job failed, expired or ran out of time). */
  fellBack: Set<string>;
}

export interface LayerRunReport {
  rows: Map<string, RowTextRun>;
  providerJobs: number;
  polls: number;
  batchItems: number;
  fallbackItems: number;
  /** Per layer: when its first provider job was submitted and when its last one settled (clock ms). */
  layers: Array<{ layer: number; submittedAt: number; settledAt: number; providerJobs: number; requests: number }>;
}

export async function runTextLayers(deps: LayerRunDeps, input: LayerRunInput): Promise<LayerRunReport> {
  assertTextOnly(input.flow);
  const report: LayerRunReport = { rows: new Map(), providerJobs: 0, polls: 0, batchItems: 0, fallbackItems: 0, layers: [] };
  for (const row of input.rows) report.rows.set(row.rowId, startRow(input.flow, row.values));
  const nodes = new Map(input.flow.nodes.map((n) => [n.id, n]));
  const upstreamText = textAncestors(input.flow);
  for (const { layer, nodeIds } of textLayers(input.flow)) {
    const requests: PendingTextRequest[] = [];
    for (const nodeId of nodeIds) {
      const node = nodes.get(nodeId) as TextNode;
      for (const [rowId, run] of report.rows) {
        const pending = prepare(node, run, upstreamText.get(nodeId) ?? []);
        if (pending) requests.push({ rowId, node, prompt: pending.prompt, ...(pending.system !== undefined ? { system: pending.system } : {}) });
      }
    }
    if (requests.length > 0) await runLayer(deps, input, report, layer, requests, nodes);
  }
  return report;
}

async function runLayer(
  deps: LayerRunDeps,
  input: LayerRunInput,
  report: LayerRunReport,
  layer: number,
  requests: PendingTextRequest[],
  nodes: Map<string, Flow["nodes"][number]>,
): Promise<void> {
  const groups = groupRequests(requests, { jobId: input.jobId, pass: input.pass, layer, maxBytes: input.maxBytes || deps.batches.maxJobRequestBytes });
  const submittedAt = deps.clock.now();
  const pdeps = { store: deps.store, jobs: deps.batches, clock: deps.clock };
  for (const group of groups) {
    await submitProviderJob(pdeps, { jobId: input.jobId, pass: input.pass, group, ...(input.deadlineMs ? { deadlineMs: input.deadlineMs } : {}) });
  }
  report.providerJobs += groups.length;
  report.batchItems += requests.length;
  await Promise.all(
    groups.map(async (group) => {
      const poll = { jobId: input.jobId, displayName: group.displayName, items: group.items, ...pollOptions(input) };
      for (;;) {
        const decision = await pollProviderJob(pdeps, poll);
        report.polls += 1;
        switch (decision.kind) {
          case "wait":
            await deps.clock.sleep(decision.afterMs);
            continue;
          case "results":
            applyOutcomes(report, nodes, decision.outcomes);
            await settleProviderJob(pdeps, { jobId: input.jobId, displayName: group.displayName, outcome: "results" });
            return;
          case "fallback":
            report.fallbackItems += group.items.length;
            applyOutcomes(report, nodes, await realtime(deps, group.items), true);
            await settleProviderJob(pdeps, { jobId: input.jobId, displayName: group.displayName, outcome: "fallback" });
            return;
          case "failed":
            applyOutcomes(
              report,
              nodes,
              group.items.map((i) => ({ key: i.key, ok: false, error: new PermanentError(decision.error.code, decision.error.message) })),
            );
            await settleProviderJob(pdeps, { jobId: input.jobId, displayName: group.displayName, outcome: "failed", error: decision.error });
            return;
          case "nothing":
            return;
        }
      }
    }),
  );
  report.layers.push({ layer, submittedAt, settledAt: deps.clock.now(), providerJobs: groups.length, requests: requests.length });
}

function pollOptions(input: LayerRunInput) {
  return {
    ...(input.fallback !== undefined ? { fallback: input.fallback } : {}),
    ...(input.pollIntervalMs !== undefined ? { pollIntervalMs: input.pollIntervalMs } : {}),
    ...(input.maxPollIntervalMs !== undefined ? { maxPollIntervalMs: input.maxPollIntervalMs } : {}),
  };
}

async function realtime(
  deps: LayerRunDeps,
  items: ReadonlyArray<{ key: string; request: Parameters<AiService["generateText"]>[0] }>,
): Promise<BatchItemOutcome[]> {
  return Promise.all(
    items.map(async (item): Promise<BatchItemOutcome> => {
      try {
        return { key: item.key, ok: true, result: await deps.ai.generateText(item.request) };
      } catch (err) {
        return { key: item.key, ok: false, error: err instanceof FlowcraftError ? err : new PermanentError("internal", "Realtime fallback call failed") };
      }
    }),
  );
}

function applyOutcomes(report: LayerRunReport, nodes: Map<string, Flow["nodes"][number]>, outcomes: readonly BatchItemOutcome[], fellBack = false): void {
  for (const o of outcomes) {
    const at = o.key.lastIndexOf("/");
    const run = report.rows.get(o.key.slice(0, at));
    const nodeId = o.key.slice(at + 1);
    const node = nodes.get(nodeId);
    if (!run || node?.type !== "text") continue;
    if (fellBack) run.fellBack.add(nodeId);
    if (!o.ok) {
      run.errors.set(nodeId, o.error.toInfo());
      continue;
    }
    run.usage.set(nodeId, o.result.usage);
    try {
      run.nodeOutputs.set(nodeId, textOutput(node, o.result));
    } catch (err) {
      run.errors.set(nodeId, toErrorInfo(err));
    }
  }
}

function textOutput(node: TextNode, result: { text: string; json?: unknown }): NodeOutput {
  if (node.data.jsonSchema === undefined) return { kind: "text", text: result.text };
  return { kind: "json", text: result.text, value: checkJsonOutput(node.id, result.json ?? JSON.parse(result.text)) };
}

function startRow(flow: Flow, values: Record<string, string>): RowTextRun {
  const run: RowTextRun = { nodeOutputs: new Map(), usage: new Map(), errors: new Map(), fellBack: new Set() };
  for (const node of flow.nodes) {
    if (node.type !== "input") continue;
    try {
      run.nodeOutputs.set(node.id, inputNodeOutput(node, values));
    } catch (err) {
      run.errors.set(node.id, toErrorInfo(err));
    }
  }
  return run;
}

/** The rendered request of a row's node, or undefined when an input failed (the node is skipped). */
function prepare(node: TextNode, run: RowTextRun, upstream: readonly string[]): { prompt: string; system?: string } | undefined {
  const failed = upstream.find((id) => run.errors.has(id));
  if (failed !== undefined) {
    run.errors.set(node.id, { code: "upstream_failed", message: `Skipped: node "${failed}" failed`, retryable: false });
    return undefined;
  }
  try {
    const prompt = renderWith(node.data.prompt, run.nodeOutputs);
    const system = node.data.system !== undefined ? renderWith(node.data.system, run.nodeOutputs) : undefined;
    return { prompt, ...(system !== undefined ? { system } : {}) };
  } catch (err) {
    run.errors.set(node.id, toErrorInfo(err));
    return undefined;
  }
}

function textAncestors(flow: Flow): Map<string, string[]> {
  const graph = buildGraph(flow);
  return new Map(flow.nodes.map((n) => [n.id, [...ancestors(graph, n.id)]]));
}

function assertTextOnly(flow: Flow): void {
  const media = mediaNodes(flow)[0];
  if (media) throw new PermanentError("invalid_flow", `The layer runner takes text flows only; node "${media.id}" is ${media.type}`);
}

export function totalUsage(run: RowTextRun): Usage {
  return [...run.usage.values()].reduce(addUsage, ZERO_USAGE);
}

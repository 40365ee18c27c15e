/**
 * The economy mode's layer plan: which text nodes of a flow go through provider batch jobs, in
 * which layer, and how one layer's requests for a set of rows are grouped into provider jobs.
 *
 * - A text node's layer is the number of text nodes on the longest path above it (0 when none):
 *   its requests can go out once every text node above it has answered for those rows. Image and
 *   video nodes are not layered: they run realtime through the normal row tasks. A text node with
 *   an image or video node anywhere above it is not layered either: it waits for that step, which
 *   runs in the row task, so the row task runs it realtime too (economy-mode.ts, `economyPlan`).
 * - One provider job holds the requests of one model and one layer, in one pass, and stays under
 *   the provider's request limit (`ProviderBatchJobs.maxJobRequestBytes`: inline requests, or an
 *   input file where the provider takes one) and under `MAX_JOB_ITEM_KEY_BYTES` of item keys (its
 *   record keeps them all in one document, and a Firestore document holds at most 1 MiB): a bigger group is split into chunks `c0`, `c1`, … in item order.
 * - The display name `fc-<jobId>-p<pass>-L<layer>-<model>-c<chunk>[-w<wave>]` is unique per group
 *   and deterministic: it is the key that finds an orphaned provider job after a crash.
 * - Item keys are `<rowId>/<nodeId>`: unique within a job, and the row and node come back with the
 *   answer.
 */
import type { BatchItem } from "../ai/batch-port";
import { INLINE_BATCH_LIMIT_BYTES, inlineRequestBytes, MAX_JOB_ITEM_KEY_BYTES } from "../ai/batch-port";
import { buildGraph, topologicalOrder } from "../flow/graph";
import type { Flow, TextNode } from "../flow/schema";

export interface TextLayer {
  layer: number;
  /** Text node ids in this layer, in topological order. */
  nodeIds: string[];
}

/**
 * The batched text nodes by layer, lowest first (text nodes below an image or video node are left
 * out: they run realtime in the row tasks). Assumes an acyclic flow (validated before a job exists).
 */
export function textLayers(flow: Pick<Flow, "nodes" | "edges">): TextLayer[] {
  const graph = buildGraph(flow);
  const types = new Map(flow.nodes.map((n) => [n.id, n.type]));
  const depth = new Map<string, number>(); // text nodes at or above a node, on its longest path
  const belowMedia = new Set<string>(); // nodes that are, or have above them, an image or video node
  const layers = new Map<number, string[]>();
  for (const id of topologicalOrder(graph)) {
    const ups = graph.upstream.get(id) ?? [];
    const above = Math.max(0, ...ups.map((u) => depth.get(u) ?? 0));
    const type = types.get(id);
    const isText = type === "text";
    depth.set(id, above + (isText ? 1 : 0));
    if (type === "image" || type === "video" || ups.some((u) => belowMedia.has(u))) belowMedia.add(id);
    if (!isText || belowMedia.has(id)) continue;
    const list = layers.get(above) ?? [];
    list.push(id);
    layers.set(above, list);
  }
  return [...layers.entries()].sort((a, b) => a[0] - b[0]).map(([layer, nodeIds]) => ({ layer, nodeIds }));
}

export function itemKey(rowId: string, nodeId: string): string {
  return `${rowId}/${nodeId}`;
}

export function parseItemKey(key: string): { rowId: string; nodeId: string } | undefined {
  const at = key.lastIndexOf("/");
  if (at <= 0 || at === key.length - 1) return undefined;
  return { rowId: key.slice(0, at), nodeId: key.slice(at + 1) };
}

/** One rendered text request of one row, ready to batch. */
export interface PendingTextRequest {
  rowId: string;
  node: Pick<TextNode, "id" | "data">;
  /** The node's prompt with the row's values filled in. */
  prompt: string;
  /** The node's system instruction, rendered the same way (it is a template too). */
  system?: string;
}

export interface ProviderJobGroup {
  displayName: string;
  model: string;
  layer: number;
  chunk: number;
  items: BatchItem[];
}

export interface GroupOptions {
  jobId: string;
  pass: number;
  layer: number;
  /** Distinguishes several submissions of one layer in one pass (rows that became ready later). */
  wave?: number;
  /** Request bytes one provider job may hold: the provider's `maxJobRequestBytes` (default: the inline limit). */
  maxBytes?: number;
  /** Item key bytes one provider job may hold (default `MAX_JOB_ITEM_KEY_BYTES`). */
  maxKeyBytes?: number;
}

/** Groups one layer's requests per model, split in chunks under the byte limit, in request order. */
export function groupRequests(requests: readonly PendingTextRequest[], o: GroupOptions): ProviderJobGroup[] {
  const byModel = new Map<string, BatchItem[]>();
  for (const r of requests) {
    const d = r.node.data;
    const request = {
      model: d.model,
      prompt: r.prompt,
      ...(r.system ? { system: r.system } : {}),
      ...(d.temperature !== undefined ? { temperature: d.temperature } : {}),
      ...(d.maxOutputTokens !== undefined ? { maxOutputTokens: d.maxOutputTokens } : {}),
      ...(d.jsonSchema ? { jsonSchema: d.jsonSchema } : {}),
    };
    const list = byModel.get(d.model) ?? [];
    list.push({ key: itemKey(r.rowId, r.node.id), request });
    byModel.set(d.model, list);
  }
  const groups: ProviderJobGroup[] = [];
  for (const [model, items] of byModel) {
    chunkBySize(items, o.maxBytes ?? INLINE_BATCH_LIMIT_BYTES, o.maxKeyBytes ?? MAX_JOB_ITEM_KEY_BYTES).forEach((chunkItems, chunk) => {
      groups.push({ displayName: displayName({ ...o, model, chunk }), model, layer: o.layer, chunk, items: chunkItems });
    });
  }
  return groups;
}

export function displayName(o: { jobId: string; pass: number; layer: number; model: string; chunk: number; wave?: number }): string {
  const model = o.model.replace(/[^A-Za-z0-9.-]/g, "_");
  const wave = o.wave ? `-w${o.wave}` : "";
  return `fc-${o.jobId}-p${o.pass}-L${o.layer}-${model}-c${o.chunk}${wave}`;
}

/** Consecutive chunks, each under `maxBytes` of requests and `maxKeyBytes` of keys (an item larger than the limit goes alone). */
function chunkBySize(items: BatchItem[], maxBytes: number, maxKeyBytes: number): BatchItem[][] {
  const chunks: BatchItem[][] = [];
  let current: BatchItem[] = [];
  let bytes = 0;
  let keyBytes = 0;
  for (const item of items) {
    const size = inlineRequestBytes([item]);
    const keySize = itemKeyBytes(item.key);
    if (current.length > 0 && (bytes + size > maxBytes || keyBytes + keySize > maxKeyBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
      keyBytes = 0;
    }
    current.push(item);
    bytes += size;
    keyBytes += keySize;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** What one key takes in the record's `itemKeys` (UTF-8 plus quotes and a comma, as JSON stores it). */
function itemKeyBytes(key: string): number {
  return Buffer.byteLength(key, "utf8") + 3;
}

/**
 * The run hash of a node: a stable SHA-256 over its configuration (flow/node-config.ts) and its
 * resolved inputs, i.e. what it would send to the provider (rendered prompt and system text) or,
 * for an input node, the cell it reads. Two runs with the same hash would make the same call, so a
 * later pass may keep the earlier output instead of calling again (ExecuteOptions.reuse).
 * Output nodes have none: they only pass their source through.
 */
import { createHash } from "node:crypto";
import type { FlowNode } from "../flow/schema";
import { nodeConfig, stableJson } from "../flow/node-config";
import { renderWith } from "./run-node";
import type { NodeOutput } from "./types";

/** Bumped when what goes into the hash changes, so old hashes never match new ones. */
const HASH_VERSION = 1;

/**
 * `stableJson(nodeConfig(node))` per node object: a validated flow's nodes never change, and every
 * row of a batch hashes the same nodes.
 */
const configJson = new WeakMap<FlowNode, string>();

/** Undefined for output nodes, and when the inputs cannot be resolved (the node will fail). */
export function nodeRunHash(node: FlowNode, outputs: ReadonlyMap<string, NodeOutput>, row: Record<string, string>): string | undefined {
  const resolved = resolvedInputs(node, outputs, row);
  if (resolved === undefined) return undefined;
  let config = configJson.get(node);
  if (config === undefined) {
    config = stableJson(nodeConfig(node));
    configJson.set(node, config);
  }
  // The text of stableJson({ v, config, inputs }) (keys in sorted order), with the config's part kept.
  const text = `{"config":${config},"inputs":${stableJson(resolved)},"v":${HASH_VERSION}}`;
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function resolvedInputs(node: FlowNode, outputs: ReadonlyMap<string, NodeOutput>, row: Record<string, string>): unknown {
  try {
    switch (node.type) {
      case "input":
        return { cell: row[node.data.column] ?? null };
      case "text":
        return { prompt: renderWith(node.data.prompt, outputs), system: node.data.system !== undefined ? renderWith(node.data.system, outputs) : null };
      case "image":
      case "video":
        return { prompt: renderWith(node.data.prompt, outputs) };
      case "output":
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * What one run of a flow over one row produces. `ServerWorkflowEngine.execute` returns a `RowRun`;
 * the batch row runner stores it (media bytes replaced by blob references) as a result document.
 */
import type { ErrorInfo } from "../errors";
import type { Usage } from "../ai/port";
import type { ValidFlow } from "../flow/valid-flow";
import type { JobCallLimits } from "../governor/port";

export type NodeStatus = "succeeded" | "failed" | "skipped" | "resumed";

/** A node's output: text, parsed JSON, or media (bytes in memory, a reference once stored). */
export type NodeOutput =
  | { kind: "text"; text: string }
  | { kind: "json"; text: string; value: unknown }
  | { kind: "media"; mimeType: string; data: Uint8Array }
  | { kind: "mediaRef"; mimeType: string; ref: string; bytes: number };

export interface NodeTrace {
  status: NodeStatus;
  startedAt?: number;
  durationMs?: number;
  usage?: Usage;
  error?: ErrorInfo;
  /** The model that served the call, for AI nodes. */
  model?: string;
  /** Calls made for an AI node, in-process retries included (absent for other nodes). */
  attempts?: number;
}

export interface RowRun {
  status: "succeeded" | "failed";
  /** Output-node `data.name` → value (text, JSON text, or a media reference/bytes). */
  outputs: Record<string, NodeOutput>;
  /** Every node's output that completed, keyed by node id: what a later attempt resumes from. */
  nodeOutputs: Record<string, NodeOutput>;
  /**
   * Node id → run hash (node-hash.ts: configuration plus resolved inputs) for every node in
   * `nodeOutputs`; stored with them so a later pass can keep outputs whose hash still matches.
   */
  nodeHashes?: Record<string, string>;
  trace: Record<string, NodeTrace>;
  usage: Usage;
  durationMs: number;
  /** The first failure (the failed node's error), when status is failed. */
  error?: ErrorInfo & { nodeId?: string };
}

export interface ExecuteOptions {
  /** The flow as `parseFlow` returned it: the engine never validates or builds its graph again. */
  flow: ValidFlow;
  /** Column name → cell value, verbatim. */
  row: Record<string, string>;
  signal?: AbortSignal;
  /** Epoch ms after which no new node starts and running calls are aborted (error `timeout`). */
  deadline?: number;
  /** Outputs saved by an earlier attempt; those nodes are not run again (status `resumed`). */
  resume?: Record<string, NodeOutput>;
  /**
   * Outputs of an earlier run with their run hashes: a node whose hash, computed when it is about
   * to start, equals the stored one keeps that output (status `resumed`, no call); any other node
   * runs. Unlike `resume`, a changed node (or one whose inputs changed) runs again, and so do its
   * dependents whose inputs change with it.
   */
  reuse?: Record<string, { hash: string; output: NodeOutput }>;
  /** The job this row belongs to, for the governor's per-job keys (ignored without a governor). */
  governorJob?: { id: string; limits?: JobCallLimits };
  /**
   * This row's in-process wait for a permit, instead of the engine's default: e.g. the task's last
   * attempt waits up to its deadline rather than fail the row for want of a permit.
   */
  governorMaxWaitMs?: number;
  /** Called as each node finishes, e.g. to checkpoint expensive outputs. */
  onNodeDone?: (nodeId: string, trace: NodeTrace, output?: NodeOutput) => void | Promise<void>;
}

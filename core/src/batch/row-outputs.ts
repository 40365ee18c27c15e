/**
 * Turning an engine RowRun into stored data: media bytes go to the blob store (the doc keeps a
 * reference), and every object is made Firestore-safe (no `undefined` anywhere).
 */
import type { NodeOutput, RowRun } from "../engine/types";
import type { BlobStore } from "../ports/blob-store";
import { documentSize } from "../store-kit/doc-data";
import type { RowTask } from "./api";
import { mediaExtension } from "./export-media";
import { rowId, type RowResult, type StoredOutput } from "./model";

export function mediaKey(jobId: string, rowIndex: number, name: string, mimeType: string): string {
  return `batch_jobs/${jobId}/media/${rowId(rowIndex)}/${name}.${mediaExtension(mimeType)}`;
}

/** Stores media outputs (each node's once) and returns node outputs and row outputs as StoredOutput. */
export async function storeOutputs(
  blobs: BlobStore,
  jobId: string,
  rowIndex: number,
  run: Pick<RowRun, "nodeOutputs" | "outputs">,
): Promise<{ nodeOutputs: Record<string, StoredOutput>; outputs: Record<string, StoredOutput> }> {
  const stored = new Map<NodeOutput, StoredOutput>();
  const save = async (name: string, out: NodeOutput): Promise<StoredOutput> => {
    const hit = stored.get(out);
    if (hit) return hit;
    let value: StoredOutput;
    if (out.kind === "media") {
      const { ref, bytes } = await blobs.put(mediaKey(jobId, rowIndex, name, out.mimeType), out.data, out.mimeType);
      value = { kind: "mediaRef", mimeType: out.mimeType, ref, bytes };
    } else if (out.kind === "json") {
      value = { kind: "json", text: out.text, value: firestoreSafe(out.value) ?? null };
    } else {
      value = { ...out };
    }
    stored.set(out, value);
    return value;
  };
  const nodeOutputs: Record<string, StoredOutput> = {};
  for (const [id, out] of Object.entries(run.nodeOutputs)) nodeOutputs[id] = await save(id, out);
  const outputs: Record<string, StoredOutput> = {};
  for (const [name, out] of Object.entries(run.outputs)) outputs[name] = await save(`out-${name}`, out);
  return { nodeOutputs, outputs };
}

/** JSON round trip: drops `undefined`; arrays of arrays are stored as JSON text (Firestore forbids them). */
export function firestoreSafe<T>(value: T): T {
  if (value === undefined) return value;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (Array.isArray(v) && v.some(Array.isArray) ? JSON.stringify(v) : v))) as T;
}

export interface ResultInput {
  task: RowTask;
  laneId: string;
  run: RowRun;
  stored: { nodeOutputs: Record<string, StoredOutput>; outputs: Record<string, StoredOutput> };
  attempts: number;
  startedAt: number;
  finishedAt: number;
  /** USD the row cost over every attempt and pass, this one included. */
  costUsd: number;
}

export function buildResult(r: ResultInput): RowResult {
  const trace = firestoreSafe(r.run.trace) as RowResult["trace"];
  return {
    jobId: r.task.jobId,
    rowIndex: r.task.rowIndex,
    pass: r.task.pass,
    status: r.run.status,
    outputs: r.stored.outputs,
    nodeOutputs: r.stored.nodeOutputs,
    ...(r.run.nodeHashes ? { nodeHashes: { ...r.run.nodeHashes } } : {}),
    trace,
    usage: { ...r.run.usage },
    costUsd: r.costUsd,
    durationMs: Math.max(0, r.run.durationMs),
    attempts: r.attempts,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.run.error ? firestoreSafe(r.run.error) : null,
    lane: r.laneId,
  };
}

/** Headroom under Firestore's 1 MiB document limit. */
export const MAX_RESULT_BYTES = 950_000;

/**
 * Makes the result fit one document: first drop `nodeOutputs` and their hashes (a succeeded row
 * needs them only to keep unchanged nodes in a re-run, which then runs every node), then give up
 * the outputs and record the row as failed with a clear, permanent error. A result that cannot be stored must not wedge its lane.
 * Also gives the stored result's `documentSize`, measured here once for the row's group (row-group.ts).
 */
export function fitResult(result: RowResult, path: string): { result: RowResult; bytes: number } {
  const bytes = documentSize(path, result);
  if (bytes <= MAX_RESULT_BYTES) return { result, bytes };
  const { nodeHashes: _dropped, ...rest } = result;
  const lean = { ...rest, nodeOutputs: {} };
  const leanBytes = documentSize(path, lean);
  if (result.status === "succeeded" && leanBytes <= MAX_RESULT_BYTES) return { result: lean, bytes: leanBytes };
  const failed: RowResult = {
    ...lean,
    status: "failed",
    outputs: {},
    error: {
      code: "limit_exceeded",
      message: "The row's outputs are larger than one result document can hold (about 1 MB); shorten them or split the flow",
      retryable: false,
    },
  };
  return { result: failed, bytes: documentSize(path, failed) };
}

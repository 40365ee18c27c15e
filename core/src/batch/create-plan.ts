/**
 * Everything a create will write, computed and checked before the first write: the normalized
 * rows cut into chunk documents, the job document, the request record's payload hash, and the
 * store's own data checks on all of them (create-storable.ts).
 */
import { outputColumns } from "../flow/parse";
import type { Flow } from "../flow/schema";
import { documentSize } from "../ports/doc-data";
import type { DocData } from "../ports/store";
import type { CreateJobInput } from "./api";
import type { Write } from "./create-staging";
import { assertChunksStorable, assertJobStorable } from "./create-storable";
import { jobPath, type Job } from "./model";
import { payloadHash } from "./request-ids";
import { rowsChunkPath, type JobState } from "./state";
import { byteLength, type ValidJob } from "./validate";

/** Rows per input chunk, and the JSON size a chunk may reach (Firestore docs are ≤ 1 MiB). */
export const CHUNK_MAX_ROWS = 200;
export const CHUNK_MAX_BYTES = 900_000;

export interface CreatePlan {
  job: JobState;
  chunks: Write[];
  /** Present when the client sent a request id. */
  request?: { requestId: string; hash: string };
}

export function planCreate(valid: ValidJob, o: { id: string; now: number; requestId?: string }): CreatePlan {
  const { input, flow } = valid;
  const rows = input.rows.map((r) => normaliseRow(input.columns, r));
  const chunks = chunkRows(rows).map((c, i): Write => {
    const path = rowsChunkPath(o.id, i);
    const data: DocData = { start: c.start, rows: c.rows };
    return { path, data, bytes: documentSize(path, data) };
  });
  assertChunksStorable(input.columns, chunks);
  const job = initialJob({ id: o.id, input, flow, concurrency: valid.concurrency, rows: rows.length, chunkStarts: chunks.map((c) => c.data.start as number), now: o.now });
  assertJobStorable(jobPath(o.id), job);
  if (o.requestId === undefined) return { job, chunks };
  // What the job will run, not how the client spelled it: the same submit always hashes the same.
  const budget = { ...(job.budgetUsd !== null ? { budgetUsd: job.budgetUsd } : {}), ...(job.webhookUrl !== null ? { webhookUrl: job.webhookUrl } : {}) };
  const hash = payloadHash({ name: job.name, flow: job.flowConfig, columns: job.columns, rows, concurrency: job.concurrency, callLimits: job.callLimits, start: job.startRequested, ...budget });
  return { job, chunks, request: { requestId: o.requestId, hash } };
}

function initialJob(o: {
  id: string;
  input: CreateJobInput;
  flow: Flow;
  concurrency: number;
  rows: number;
  chunkStarts: number[];
  now: number;
}): JobState {
  const zero = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  return {
    id: o.id,
    ownerId: o.input.ownerId,
    name: o.input.name?.trim() || "Untitled batch",
    status: "pending",
    cancelRequested: false,
    startRequested: o.input.start === true,
    totalRows: o.rows,
    completedRows: 0,
    failedRows: 0,
    skippedRows: 0,
    concurrency: o.concurrency,
    ...(o.input.callLimits ? { callLimits: o.input.callLimits } : {}),
    createdAt: o.now,
    startedAt: null,
    finishedAt: null,
    updatedAt: o.now,
    // JSON round trip: the parsed flow may hold `undefined`, which documents cannot store.
    flowConfig: JSON.parse(JSON.stringify({ nodes: o.flow.nodes, edges: o.flow.edges })) as Job["flowConfig"],
    columns: [...o.input.columns],
    outputColumns: outputColumns(o.flow),
    usage: { ...zero },
    costUsd: 0,
    budgetUsd: o.input.budgetUsd ?? null,
    webhookUrl: o.input.webhookUrl ?? null,
    pass: 0,
    error: null,
    pausedReason: null,
    pausedAt: null,
    pauseDetail: null,
    rowChunkStarts: o.chunkStarts,
    passRows: o.rows,
    base: { completed: 0, failed: 0, usage: { ...zero }, costUsd: 0 },
    laneCount: 0,
    passList: "",
  };
}

/** Every column present, as a string (missing cells become ""). */
function normaliseRow(columns: string[], row: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of columns) out[c] = row[c] ?? "";
  return out;
}

export function chunkRows(rows: Record<string, string>[]): { start: number; rows: Record<string, string>[] }[] {
  const chunks: { start: number; rows: Record<string, string>[] }[] = [];
  let current: Record<string, string>[] = [];
  let start = 0;
  let bytes = 0;
  rows.forEach((row, i) => {
    const size = byteLength(JSON.stringify(row));
    if (current.length > 0 && (current.length >= CHUNK_MAX_ROWS || bytes + size > CHUNK_MAX_BYTES)) {
      chunks.push({ start, rows: current });
      current = [];
      start = i;
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  });
  if (current.length > 0) chunks.push({ start, rows: current });
  return chunks;
}

/**
 * Everything a create will write, computed and checked before the first write: the normalized
 * rows cut into chunk documents, the job document, the request record's payload hash, and the
 * store's own data checks on all of them (create-storable.ts).
 */
import { outputColumns } from "../flow/parse";
import type { Flow } from "../flow/schema";
import { documentSize } from "../store-kit/doc-data";
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
  const { input } = valid;
  const rows = input.rows.map((r) => normaliseRow(input.columns, r));
  const chunks = chunkRows(rows).map((c, i) => chunkWrite(o.id, i, c));
  assertChunksStorable(input.columns, chunks);
  const job = planJob(valid, { ...o, rows: rows.length, chunkStarts: chunks.map((c) => c.data.start as number) });
  if (o.requestId === undefined) return { job, chunks };
  return { job, chunks, request: { requestId: o.requestId, hash: requestHash(job, rows) } };
}

/** The job document of a valid create (checked storable), given its row count and chunk starts. */
export function planJob(valid: ValidJob, o: { id: string; now: number; rows: number; chunkStarts: number[] }): JobState {
  const job = initialJob({
    id: o.id,
    input: valid.input,
    flow: valid.flow,
    concurrency: valid.concurrency,
    rows: o.rows,
    chunkStarts: o.chunkStarts,
    now: o.now,
  });
  assertJobStorable(jobPath(o.id), job);
  return job;
}

/**
 * The request record's payload hash: what the job will run, not how the client spelled it, so the
 * same submit always hashes the same. `rows` is the normalized rows, or a digest of them (a
 * streamed create never holds them all).
 */
export function requestHash(job: JobState, rows: unknown): string {
  // Options enter the hash only when set, so a request hashes as it did before the option existed.
  const budget = {
    ...(job.budgetUsd !== null ? { budgetUsd: job.budgetUsd } : {}),
    ...(job.webhookUrl !== null ? { webhookUrl: job.webhookUrl } : {}),
    ...(job.mode !== "realtime" ? { mode: job.mode } : {}),
  };
  return payloadHash({
    name: job.name,
    flow: job.flowConfig,
    columns: job.columns,
    rows,
    concurrency: job.concurrency,
    callLimits: job.callLimits,
    start: job.startRequested,
    ...budget,
  });
}

/** The document write of input chunk `index` of job `jobId`. */
export function chunkWrite(jobId: string, index: number, c: RowChunk): Write {
  const path = rowsChunkPath(jobId, index);
  const data: DocData = { start: c.start, rows: c.rows };
  return { path, data, bytes: documentSize(path, data) };
}

function initialJob(o: { id: string; input: CreateJobInput; flow: Flow; concurrency: number; rows: number; chunkStarts: number[]; now: number }): JobState {
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
    mode: o.input.mode ?? "realtime",
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
export function normaliseRow(columns: string[], row: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of columns) out[c] = row[c] ?? "";
  return out;
}

export interface RowChunk {
  start: number;
  rows: Record<string, string>[];
}

/**
 * Cuts rows into chunks as they come: at most CHUNK_MAX_ROWS rows and CHUNK_MAX_BYTES of JSON
 * each. `add` returns the chunk a row closed (the row then starts the next one); `end` the last.
 */
export class ChunkCutter {
  private current: Record<string, string>[] = [];
  private start = 0;
  private bytes = 0;
  private count = 0;

  add(row: Record<string, string>): RowChunk | null {
    const size = byteLength(JSON.stringify(row));
    let closed: RowChunk | null = null;
    if (this.current.length > 0 && (this.current.length >= CHUNK_MAX_ROWS || this.bytes + size > CHUNK_MAX_BYTES)) {
      closed = { start: this.start, rows: this.current };
      this.current = [];
      this.start = this.count;
      this.bytes = 0;
    }
    this.current.push(row);
    this.bytes += size;
    this.count += 1;
    return closed;
  }

  end(): RowChunk | null {
    return this.current.length > 0 ? { start: this.start, rows: this.current } : null;
  }
}

export function chunkRows(rows: Record<string, string>[]): RowChunk[] {
  const cutter = new ChunkCutter();
  const chunks: RowChunk[] = [];
  for (const row of rows) {
    const closed = cutter.add(row);
    if (closed) chunks.push(closed);
  }
  const last = cutter.end();
  if (last) chunks.push(last);
  return chunks;
}

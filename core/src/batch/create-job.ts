/**
 * createJob: validate everything first (nothing is written on bad input), then write the input rows
 * in chunk documents, THEN the job document (so anything triggered by the job can read its rows),
 * then optionally start it.
 */
import { PermanentError } from "../errors";
import { outputColumns } from "../flow/parse";
import type { Flow } from "../flow/schema";
import type { CreateJobInput } from "./api";
import type { BatchContext } from "./context";
import { jobPath, type Job } from "./model";
import { rowsChunkPath, type JobState } from "./state";
import { byteLength, validateCreateJob } from "./validate";

/** Rows per input chunk, and the JSON size a chunk may reach (Firestore docs are ≤ 1 MiB). */
export const CHUNK_MAX_ROWS = 200;
export const CHUNK_MAX_BYTES = 900_000;
const BATCH_WRITES = 400;

export async function createJob(ctx: BatchContext, raw: CreateJobInput): Promise<JobState> {
  const { deps } = ctx;
  const valid = validateCreateJob(raw, deps.limits);
  const { input, flow } = valid;
  const active = await deps.store.count("batch_jobs", [
    { field: "ownerId", op: "==", value: input.ownerId },
    { field: "status", op: "in", value: ["pending", "processing"] },
  ]);
  if (active >= deps.limits.maxActiveJobsPerOwner) {
    throw new PermanentError(
      "limit_exceeded",
      `You already have ${active} active batches; at most ${deps.limits.maxActiveJobsPerOwner} may be pending or running at once`,
    );
  }
  const id = deps.ids.newId();
  const rows = input.rows.map((r) => normaliseRow(input.columns, r));
  const chunks = chunkRows(rows);
  await writeChunks(ctx, id, chunks);
  const job = initialJob({ id, input, flow, concurrency: valid.concurrency, rows: rows.length, chunkStarts: chunks.map((c) => c.start), now: deps.clock.now() });
  await deps.store.create(jobPath(id), job);
  deps.logger.info({ jobId: id, rows: rows.length, chunks: chunks.length, concurrency: job.concurrency }, "batch created");
  return job;
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
    createdAt: o.now,
    startedAt: null,
    finishedAt: null,
    updatedAt: o.now,
    // JSON round trip: the parsed flow may hold `undefined`, which documents cannot store.
    flowConfig: JSON.parse(JSON.stringify({ nodes: o.flow.nodes, edges: o.flow.edges })) as Job["flowConfig"],
    columns: [...o.input.columns],
    outputColumns: outputColumns(o.flow),
    usage: { ...zero },
    pass: 0,
    error: null,
    rowChunkStarts: o.chunkStarts,
    passRows: o.rows,
    base: { completed: 0, failed: 0, usage: { ...zero } },
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

async function writeChunks(ctx: BatchContext, jobId: string, chunks: { start: number; rows: Record<string, string>[] }[]): Promise<void> {
  // One batch commit holds ≤ 10 MiB, and a chunk can be ~0.9 MB: commit every 8 chunks.
  const perBatch = Math.min(BATCH_WRITES, 8);
  for (let i = 0; i < chunks.length; i += perBatch) {
    const batch = ctx.deps.store.batch();
    chunks.slice(i, i + perBatch).forEach((c, j) => batch.set(rowsChunkPath(jobId, i + j), { start: c.start, rows: c.rows }));
    await batch.commit();
  }
}

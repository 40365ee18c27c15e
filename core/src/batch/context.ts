/**
 * What every handler shares: the deps, the workflow engine rows run with (one per instance, built
 * on first use from the deps), plus small per-instance caches of IMMUTABLE data (a job's parsed
 * flow, input row chunks, retry-pass work lists). Caching them is safe because they are written
 * once before anything reads them; mutable state (job, lanes) is always read fresh.
 */
import { ServerWorkflowEngine } from "../engine/server-workflow-engine";
import { parseFlow } from "../flow/parse";
import type { ValidFlow } from "../flow/valid-flow";
import type { DocumentStore, Transaction } from "../ports/store";
import type { BatchDeps } from "./api";
import { jobPath } from "./model";
import { JobState, Lane, PassChunk, RowsChunk, PASS_CHUNK_SIZE, lanePath, lanesPath, passChunkPath, rowsChunkPath } from "./state";

export interface BatchContext {
  deps: BatchDeps;
  rollUpIntervalMs: number;
  /** The engine rows (and an estimate's dry run) run with: the same one for the instance's life. */
  engine(): ServerWorkflowEngine;
  cache: SmallCache;
}

/** A bounded map: evicts the oldest entry beyond `max`. */
export class SmallCache {
  private readonly map = new Map<string, unknown>();
  constructor(private readonly max = 512) {}
  get<T>(key: string): T | undefined {
    return this.map.get(key) as T | undefined;
  }
  set(key: string, value: unknown): void {
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }
}

export function makeContext(deps: BatchDeps): BatchContext {
  // Built on first use, not here: a host (or a test) may finish setting its deps after the handlers.
  let engine: ServerWorkflowEngine | null = null;
  const build = (): ServerWorkflowEngine => {
    const { ai, clock, logger } = deps;
    const { nodeRetry, governor, governorMaxWaitMs } = deps.engine ?? {};
    return new ServerWorkflowEngine({
      ai,
      clock,
      logger,
      ...(nodeRetry ? { nodeRetry } : {}),
      ...(governor ? { governor } : {}),
      ...(governorMaxWaitMs !== undefined ? { governorMaxWaitMs } : {}),
    });
  };
  return { deps, rollUpIntervalMs: deps.rollUpIntervalMs ?? 2_000, engine: () => (engine ??= build()), cache: new SmallCache() };
}

type Reader = Pick<DocumentStore, "get" | "query"> | Pick<Transaction, "get" | "query">;

export async function readJob(r: Reader, jobId: string): Promise<JobState | null> {
  const doc = await r.get(jobPath(jobId));
  return doc ? JobState.parse(doc.data) : null;
}

/**
 * The job and one of its lanes, read at one moment (null when either is missing), for the reads a
 * running lane repeats between its rows. Through the store's `getAllParsed` when it has one (the
 * values may then be shared and are frozen), else `getAll` and parse. Read only: never change them.
 */
export async function readJobAndLane(store: DocumentStore, jobId: string, laneIndex: number): Promise<{ job: JobState; lane: Lane } | null> {
  const paths = [jobPath(jobId), lanePath(jobId, laneIndex)] as const;
  if (store.getAllParsed) {
    const [job, lane] = await store.getAllParsed<JobState | Lane>([
      { path: paths[0], schema: JobState },
      { path: paths[1], schema: Lane },
    ]);
    return job && lane ? { job: job as JobState, lane: lane as Lane } : null;
  }
  const [jobDoc, laneDoc] = await store.getAll([...paths]);
  return jobDoc && laneDoc ? { job: JobState.parse(jobDoc.data), lane: Lane.parse(laneDoc.data) } : null;
}

/** One lane, read like `readJobAndLane` (possibly shared and frozen: never change it). */
export async function readLane(store: DocumentStore, jobId: string, laneIndex: number): Promise<Lane | null> {
  const path = lanePath(jobId, laneIndex);
  if (store.getAllParsed) return (await store.getAllParsed<Lane>([{ path, schema: Lane }]))[0] ?? null;
  const doc = await store.get(path);
  return doc ? Lane.parse(doc.data) : null;
}

/** The lanes of the given pass, ordered by index. */
export async function readLanes(r: Reader, jobId: string, pass: number): Promise<Lane[]> {
  const docs = await r.query(lanesPath(jobId));
  return docs
    .map((d) => Lane.parse(d.data))
    .filter((l) => l.pass === pass)
    .sort((a, b) => a.index - b.index);
}

/**
 * The job's flow, parsed once per instance and flow: the snapshot in the job doc changes only when
 * a re-run brings an edited flow, which also moves `flowPass` (rerun-pass.ts).
 */
export function jobFlow(ctx: BatchContext, job: JobState): ValidFlow {
  const key = `flow:${job.id}:${job.flowPass ?? 0}`;
  const hit = ctx.cache.get<ValidFlow>(key);
  if (hit) return hit;
  const flow = parseFlow(job.flowConfig, { columns: job.columns });
  ctx.cache.set(key, flow);
  return flow;
}

/** The index of the input chunk holding `rowIndex` (binary search over ascending rowChunkStarts). */
export function chunkOf(starts: readonly number[], rowIndex: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= rowIndex) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The input row at `rowIndex`. */
export async function loadRow(ctx: BatchContext, job: JobState, rowIndex: number): Promise<Record<string, string>> {
  const chunk = await loadRowsChunk(ctx, job.id, chunkOf(job.rowChunkStarts, rowIndex));
  const row = chunk.rows[rowIndex - chunk.start];
  if (!row) throw new Error(`row ${rowIndex} missing from its input chunk`);
  return row;
}

export async function loadRowsChunk(ctx: BatchContext, jobId: string, chunk: number): Promise<RowsChunk> {
  const key = `rows:${jobId}:${chunk}`;
  const hit = ctx.cache.get<RowsChunk>(key);
  if (hit) return hit;
  const parsed = await readRowsChunk(ctx.deps.store, jobId, chunk);
  ctx.cache.set(key, parsed);
  return parsed;
}

/**
 * One input chunk, read and parsed without the context's cache: for a reader that visits each
 * chunk once (the export), which would otherwise keep up to the cache's 512 chunks (a whole job's
 * input, up to hundreds of MB) alive until it ends.
 */
export async function readRowsChunk(store: Reader, jobId: string, chunk: number): Promise<RowsChunk> {
  const doc = await store.get(rowsChunkPath(jobId, chunk));
  if (!doc) throw new Error(`input chunk ${chunk} missing`);
  return RowsChunk.parse(doc.data);
}

/** Maps a lane's work-list position to a row index (pass 0's work list is every row in order). */
export async function rowAt(ctx: BatchContext, jobId: string, lane: Pick<Lane, "pass" | "list">, pos: number): Promise<number> {
  const { pass, list } = lane;
  if (pass === 0) return pos;
  const n = Math.floor(pos / PASS_CHUNK_SIZE);
  const key = `pass:${jobId}:${pass}:${list}:${n}`;
  let chunk = ctx.cache.get<PassChunk>(key);
  if (!chunk) {
    const doc = await ctx.deps.store.get(passChunkPath(jobId, pass, list, n));
    if (!doc) throw new Error(`work list chunk ${pass}-${n} missing`);
    chunk = PassChunk.parse(doc.data);
    ctx.cache.set(key, chunk);
  }
  const row = chunk.rows[pos - chunk.start];
  if (row === undefined) throw new Error(`position ${pos} outside work list chunk ${pass}-${n}`);
  return row;
}

/**
 * createJobFromRows: a create whose rows arrive as a stream that can be read again (a file on
 * disk, a held upload, a Cloud Storage object), in memory bounded by one commit of chunks, never
 * by the input. Two passes over the rows:
 *   1. check: every row once, with createJob's row checks, the count, the chunk cuts and their
 *      sizes and a digest of the rows; with the head checks (shape, columns, concurrency, flow)
 *      it throws ONE ValidationError (the first MAX_DETAILS problems, and the total). Nothing is
 *      written before this pass has passed.
 *   2. write: the request id and the owner's limit (as createJob), then the rows again, cut the
 *      same way: in the job's own transaction when everything fits one commit, otherwise staged
 *      (create-staging.ts) in commits of at most STREAM_COMMIT_BYTES, then the job's transaction.
 *      Rows that differ from pass 1 (count or digest: the source changed) abandon the staging.
 */
import { createHash } from "node:crypto";
import { RetryableError, ValidationError, type ErrorDetail } from "../errors";
import { MAX_DOCUMENT_BYTES } from "../store-kit/doc-data";
import { FIRESTORE_COMMIT_LIMITS, type CommitLimits } from "../ports/store";
import type { CreateFromRowsInput, RowSource } from "./api";
import type { BatchContext } from "./context";
import { cleanUp, commitCreate, COMMIT_BYTES_SHARE, precheck, type CreateOutcome } from "./create-job";
import { ChunkCutter, chunkWrite, normaliseRow, planJob, requestHash, type RowChunk } from "./create-plan";
import { commitWrites, writeMarker, type Write } from "./create-staging";
import { assertChunksStorable } from "./create-storable";
import type { BatchLimits } from "./limits";
import { parseRequestId } from "./request-ids";
import type { JobState } from "./state";
import { checkCreateHead, checkRow, checkRowCount, finishCreateChecks, MAX_DETAILS, type ValidJob } from "./validate";

/** Largest commit of row chunks a streamed create holds in memory (Firestore allows 10 MiB). */
export const STREAM_COMMIT_BYTES = 8 * 1024 * 1024;

/** What pass 1 learnt about the rows; pass 2 must see the same. */
interface RowScan {
  count: number;
  digest: string;
  chunkStarts: number[];
  /** Summed stored size of the chunks. */
  bytes: number;
}

export async function createJobFromRows(ctx: BatchContext, raw: CreateFromRowsInput): Promise<CreateOutcome> {
  const { deps } = ctx;
  const id = deps.ids.newId();
  const { valid, scan, requestId } = await checkRows(raw, deps.limits, id);
  const job = planJob(valid, { id, now: deps.clock.now(), rows: scan.count, chunkStarts: scan.chunkStarts });
  const plan = { job, ...(requestId ? { request: { requestId, hash: requestHash(job, { sha256: scan.digest }) } } : {}) };
  const early = await precheck(ctx, plan);
  if (early) return early;
  const outcome = await writeRows(ctx, { plan, scan, source: raw.source });
  if (!outcome.replayed) {
    deps.logger.info({ jobId: job.id, rows: job.totalRows, chunks: scan.chunkStarts.length, concurrency: job.concurrency }, "batch created from a row stream");
  }
  return outcome;
}

/** Pass 1 alone, without a store: every check createJobFromRows makes before its first write. */
export async function checkCreateFromRows(raw: CreateFromRowsInput, limits: BatchLimits): Promise<void> {
  await checkRows(raw, limits, "check");
}

async function checkRows(
  raw: CreateFromRowsInput,
  limits: BatchLimits,
  jobId: string,
): Promise<{ valid: ValidJob; scan: RowScan; requestId: string | undefined }> {
  const requestId = parseRequestId(raw);
  const { source, ...rest } = raw;
  const head = checkCreateHead({ ...rest, rows: [] }, limits);
  const scan = await scanRows({ columns: head.input.columns, source, limits, jobId, details: head.details });
  const valid = finishCreateChecks(head, scan.problems);
  return { valid, scan, requestId };
}

async function scanRows(o: {
  columns: string[];
  source: RowSource;
  limits: BatchLimits;
  jobId: string;
  details: ErrorDetail[];
}): Promise<RowScan & { problems: number }> {
  const { columns, limits, details } = o;
  const known = new Set(columns);
  const rows = new RowDigest(o.jobId);
  const oversized: Write[] = [];
  let problems = details.length;
  for await (const raw of o.source.open()) {
    const r = rows.count;
    if (r < limits.maxRows) {
      // Past MAX_DETAILS the problems are only counted, for the total.
      const into = details.length < MAX_DETAILS ? details : [];
      problems += checkRow(known, raw, r, limits, into);
    }
    for (const w of rows.add(normaliseRow(columns, raw))) if (w.bytes > MAX_DOCUMENT_BYTES) oversized.push(w);
  }
  for (const w of rows.end()) if (w.bytes > MAX_DOCUMENT_BYTES) oversized.push(w);
  // Problems of the whole input go first, so the cap never hides them behind row problems.
  const whole: ErrorDetail[] = [];
  checkRowCount(rows.count, limits, whole);
  try {
    assertChunksStorable(columns, oversized.slice(0, 5));
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    whole.push(...(err.details ?? []));
  }
  details.unshift(...whole);
  return { ...rows.scan(), problems: problems + whole.length };
}

/** Cuts rows into chunk writes as they come and keeps what pass 2 must match. */
class RowDigest {
  count = 0;
  private readonly hash = createHash("sha256");
  private readonly cutter = new ChunkCutter();
  private readonly starts: number[] = [];
  private bytes = 0;

  constructor(private readonly jobId: string) {}

  /** The chunk writes this row closed (none or one). */
  add(row: Record<string, string>): Write[] {
    this.count += 1;
    // Rows are normalised (keys in column order), so their JSON is canonical.
    this.hash.update(JSON.stringify(row)).update("\n");
    return this.closed(this.cutter.add(row));
  }

  end(): Write[] {
    return this.closed(this.cutter.end());
  }

  scan(): RowScan {
    return { count: this.count, digest: this.hash.copy().digest("hex"), chunkStarts: [...this.starts], bytes: this.bytes };
  }

  private closed(chunk: RowChunk | null): Write[] {
    if (!chunk) return [];
    const w = chunkWrite(this.jobId, this.starts.length, chunk);
    this.starts.push(chunk.start);
    this.bytes += w.bytes;
    return [w];
  }
}

interface WriteJob {
  plan: { job: JobState; request?: { requestId: string; hash: string } };
  scan: RowScan;
  source: RowSource;
}

/** Pass 2: the chunks (inline or staged), then the job's transaction. */
async function writeRows(ctx: BatchContext, w: WriteJob): Promise<CreateOutcome> {
  const limits = ctx.deps.store.commitLimits ?? FIRESTORE_COMMIT_LIMITS;
  const budget = Math.min(limits.maxBytes * COMMIT_BYTES_SHARE, STREAM_COMMIT_BYTES);
  const chunks = w.scan.chunkStarts.length;
  const inline = chunks + 3 <= limits.maxWrites && w.scan.bytes + JSON.stringify(w.plan.job).length + 16_384 <= budget;
  if (inline) {
    const writes: Write[] = [];
    await readAgain(w, (write) => {
      writes.push(write);
    });
    return commitCreate(ctx, w.plan, writes, false);
  }
  const jobId = w.plan.job.id;
  let outcome: CreateOutcome;
  try {
    await writeMarker(ctx, { ownerId: w.plan.job.ownerId, jobId, chunks });
    await stageAll(ctx, w, { maxWrites: limits.maxWrites, maxBytes: budget });
    outcome = await commitCreate(ctx, w.plan, [], true);
  } catch (err) {
    await cleanUp(ctx, jobId);
    throw err;
  }
  if (outcome.replayed) await cleanUp(ctx, jobId);
  return outcome;
}

async function stageAll(ctx: BatchContext, w: WriteJob, limits: CommitLimits): Promise<void> {
  let group: Write[] = [];
  let bytes = 0;
  // One commit at a time, awaited before reading on: memory stays at about one group.
  await readAgain(w, async (write) => {
    if (group.length > 0 && (group.length >= limits.maxWrites || bytes + write.bytes > limits.maxBytes)) {
      await commitWrites(ctx, group);
      group = [];
      bytes = 0;
    }
    group.push(write);
    bytes += write.bytes;
  });
  if (group.length > 0) await commitWrites(ctx, group);
}

/** Reads the rows again, hands out the same chunk writes, and fails if the rows changed. */
async function readAgain(w: WriteJob, onWrite: (write: Write) => Promise<void> | void): Promise<void> {
  const rows = new RowDigest(w.plan.job.id);
  const { columns } = w.plan.job;
  for await (const raw of w.source.open()) {
    for (const write of rows.add(normaliseRow(columns, raw))) await onWrite(write);
  }
  for (const write of rows.end()) await onWrite(write);
  const again = rows.scan();
  if (again.count !== w.scan.count || again.digest !== w.scan.digest) {
    throw new RetryableError("unavailable", "The rows changed while the batch was being created; please submit it again");
  }
}

/**
 * rerunRows: a new pass over chosen rows of a finished job (completed, failed or cancelled), with
 * the job's flow or an edited one. The rows: `failed`, `not-run` (no result: a cancelled job's
 * rows that never ran), `all`, or a list of row indices. An edited flow is validated against the
 * job's columns like a new batch's; its output columns may differ, and it becomes the job's flow
 * from this pass on (rerun-pass.ts keeps each pass's flow snapshot).
 *
 * Node reuse: every re-run row that has a result gets a checkpoint for the new pass holding the
 * result's node outputs with their run hashes (`Checkpoint.reuse`); the engine keeps an output
 * whose hash (configuration plus resolved inputs) still matches and runs the rest, so only changed
 * nodes and the dependents whose inputs change call the provider again. Results written before
 * hashes existed get theirs computed here, from the flow that produced them (the creation flow).
 * The checkpoints depend only on the old results, so two concurrent re-runs write the same ones,
 * and the pass's opening transaction lets only one of them open the pass.
 *
 * retryFailed and a cancelled job's resume are this with `failed` / `not-run` and the same flow.
 */
import { z } from "zod";
import { ValidationError, type ErrorDetail } from "../errors";
import { nodeRunHash } from "../engine/node-hash";
import type { NodeOutput } from "../engine/types";
import { parseFlow } from "../flow/parse";
import { outputColumns } from "../flow/parse";
import { stableJson } from "../flow/node-config";
import type { Flow } from "../flow/schema";
import type { Caller } from "./api";
import { assertOwned, preconditionFailed } from "./access";
import type { BatchContext } from "./context";
import { loadRow, readJob } from "./context";
import { assertJobStorable } from "./create-storable";
import { jobPath, resultPath, resultsPath, RowResult, type Job, type JobStatus } from "./model";
import { commitInBatches, runNewPass, type BatchOp, type FlowSnapshot } from "./rerun-pass";
import { checkpointPath, flowSnapshotPath, type Checkpoint, type JobState } from "./state";
import { canRerun, statusesWhere } from "./statuses";
import { checkFlow } from "./validate";

/** Which rows a re-run covers. */
export const RerunSelection = z.union([
  z.enum(["failed", "not-run", "all"]),
  z.array(z.number().int("row indices are whole numbers").nonnegative("row indices start at 0")).min(1, "list at least one row"),
]);
export type RerunSelection = z.infer<typeof RerunSelection>;

/** The request body of `POST /api/batches/:id/rerun` and the `rerunRows` callable (besides the id). */
export const RerunRequest = z.strictObject({
  rows: RerunSelection,
  /** The flow to run (absent: the job's own). */
  flow: z.unknown().optional(),
});
export type RerunRequest = z.infer<typeof RerunRequest>;

/** What the special cases (retryFailed, resume of a cancelled job) change. */
export interface RerunOptions {
  from?: JobStatus[];
  /** The refusal when the selection is empty. */
  nothingMessage?: string;
}

const FINISHED = statusesWhere(canRerun);
const PAGE = 500;
const GET_CHUNK = 100;

export async function rerunRows(
  ctx: BatchContext,
  caller: Caller,
  jobId: string,
  raw: unknown,
  o: RerunOptions = {},
): Promise<{ job: JobState; rows: number }> {
  const req = parseRequest(raw, ctx.deps.limits.maxRows);
  const before = assertOwned(await readJob(ctx.deps.store, jobId), caller, jobId);
  const from = o.from ?? FINISHED;
  if (!from.includes(before.status)) {
    throw preconditionFailed(`Batch ${jobId} is ${before.status}; only a finished batch (${from.join(", ")}) can re-run rows`);
  }
  const flow = req.flow === undefined ? undefined : newFlow(before, req.flow, ctx);
  const pass = before.pass + 1;
  const scan = await scanSelection(ctx, before, req.rows, pass);
  if (scan.rows.length === 0) throw preconditionFailed(o.nothingMessage ?? `Batch ${jobId} has no rows that match ${JSON.stringify(req.rows)}`);
  const counts = {
    completed: Math.max(0, before.completedRows - scan.succeeded),
    failed: Math.max(0, before.failedRows - scan.failed),
    skipped: Math.max(0, before.skippedRows - scan.notRun),
  };
  const withResult = scan.withResult;
  const job = await runNewPass(ctx, caller, before, {
    rows: scan.rows,
    from,
    counts,
    ...(flow ? { flow } : {}),
    beforeEnqueue: () =>
      commitInBatches(
        ctx,
        withResult.map((i) => (b) => b.delete(resultPath(jobId, i))),
      ),
  });
  ctx.deps.logger.info({ jobId, pass: job.pass, rows: scan.rows.length, flowChanged: flow !== undefined }, "re-running rows");
  return { job, rows: scan.rows.length };
}

function parseRequest(raw: unknown, maxRows: number): RerunRequest {
  const parsed = RerunRequest.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
    throw new ValidationError("The re-run request is malformed: rows is failed, not-run, all or a list of row indices", details);
  }
  const rows = parsed.data.rows;
  if (Array.isArray(rows) && rows.length > maxRows) {
    throw new ValidationError("Too many rows listed", [{ path: "rows", message: `at most ${maxRows} row indices (got ${rows.length})` }]);
  }
  return parsed.data;
}

/** The edited flow as stored, or undefined when it equals the job's (nothing to snapshot). */
function newFlow(job: JobState, raw: unknown, ctx: BatchContext): { config: Job["flowConfig"]; outputColumns: string[] } | undefined {
  const { flow, problems } = checkFlow(raw, job.columns, ctx.deps.limits);
  if (!flow) throw new ValidationError("The flow is not valid for this batch's columns", problems, "invalid_flow");
  const config = JSON.parse(JSON.stringify({ nodes: flow.nodes, edges: flow.edges })) as Job["flowConfig"];
  if (stableJson(config) === stableJson(job.flowConfig)) return undefined;
  assertJobStorable(jobPath(job.id), { ...job, flowConfig: config });
  return { config, outputColumns: outputColumns(flow) };
}

interface Scan {
  /** The work list, ascending. */
  rows: number[];
  /** Rows of the list that have a result (deleted once the pass opens). */
  withResult: number[];
  succeeded: number;
  failed: number;
  notRun: number;
}

/**
 * Reads the selected rows' results page by page (never the whole job at once), writing each one's
 * checkpoint for `pass` as it goes, and tallies what the re-run takes out of the job's counts.
 */
async function scanSelection(ctx: BatchContext, job: JobState, sel: RerunSelection, pass: number): Promise<Scan> {
  const scan: Scan = { rows: [], withResult: [], succeeded: 0, failed: 0, notRun: 0 };
  const reuse = await reuseBuilder(ctx, job);
  const take = async (results: RowResult[]) => {
    for (const r of results) {
      scan.withResult.push(r.rowIndex);
      if (r.status === "succeeded") scan.succeeded += 1;
      else scan.failed += 1;
    }
    const cps = await Promise.all(results.map(async (r) => [r.rowIndex, await checkpointFor(r, pass, reuse, ctx)] as const));
    await commitInBatches(
      ctx,
      cps.map(
        ([i, cp]): BatchOp =>
          (b) =>
            b.set(checkpointPath(job.id, i), cp),
      ),
    );
  };
  if (sel === "failed") {
    await pageResults(ctx, job.id, [{ field: "status", op: "==", value: "failed" }], take);
    scan.rows = [...scan.withResult];
    return scan;
  }
  if (sel === "all" || sel === "not-run") {
    const ran = new Set<number>();
    await pageResults(ctx, job.id, [], async (page) => {
      for (const r of page) ran.add(r.rowIndex);
      if (sel === "all") await take(page);
    });
    for (let i = 0; i < job.totalRows; i++) if (sel === "all" || !ran.has(i)) scan.rows.push(i);
    scan.notRun = scan.rows.filter((i) => !ran.has(i)).length;
    return scan;
  }
  scan.rows = listedRows(sel, job.totalRows);
  for (let i = 0; i < scan.rows.length; i += GET_CHUNK) {
    const chunk = scan.rows.slice(i, i + GET_CHUNK);
    const docs = await ctx.deps.store.getAll(chunk.map((r) => resultPath(job.id, r)));
    await take(docs.flatMap((d) => (d ? [RowResult.parse(d.data)] : [])));
  }
  scan.notRun = scan.rows.length - scan.withResult.length;
  return scan;
}

function listedRows(rows: number[], total: number): number[] {
  const bad: ErrorDetail[] = [];
  rows.forEach((r, i) => {
    if (r >= total && bad.length < 20) bad.push({ path: `rows[${i}]`, message: `row ${r} is not in this batch (rows 0 to ${total - 1})` });
  });
  if (bad.length > 0) throw new ValidationError("Some listed rows are not in this batch", bad);
  return [...new Set(rows)].sort((a, b) => a - b);
}

type Where = { field: string; op: "=="; value: unknown };

/** Results in row order, a page at a time; `rowIndex >` the last one is the keyset (see ARCHITECTURE.md). */
async function pageResults(ctx: BatchContext, jobId: string, where: Where[], visit: (page: RowResult[]) => Promise<void>): Promise<void> {
  let after = -1;
  for (;;) {
    const page = await ctx.deps.store.query(resultsPath(jobId), {
      where: [...where, { field: "rowIndex", op: ">", value: after }],
      orderBy: { field: "rowIndex" },
      limit: PAGE,
    });
    const rows = page.map((d) => RowResult.parse(d.data));
    await visit(rows);
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || !last) return;
    after = last.rowIndex;
  }
}

type ReuseOf = (r: RowResult) => Promise<Checkpoint["reuse"]>;

/**
 * A row's earlier outputs with their hashes. Results from before hashes existed were produced by
 * the creation flow (flows only change through re-runs, which store hashes): their hashes are
 * computed from that flow and the row's input, as the engine would have.
 */
async function reuseBuilder(ctx: BatchContext, job: JobState): Promise<ReuseOf> {
  let creationFlow: Flow | undefined;
  const firstFlow = async (): Promise<Flow> => {
    if (creationFlow) return creationFlow;
    const snap = (job.flowPass ?? 0) === 0 ? null : await ctx.deps.store.get(flowSnapshotPath(job.id, 0));
    const config = snap ? (snap.data as unknown as FlowSnapshot).flowConfig : job.flowConfig;
    creationFlow = parseFlow(config, { columns: job.columns });
    return creationFlow;
  };
  return async (r) => {
    const hashes = r.nodeHashes ?? (await legacyHashes(ctx, job, r, await firstFlow()));
    const reuse: NonNullable<Checkpoint["reuse"]> = {};
    for (const [id, output] of Object.entries(r.nodeOutputs)) {
      const hash = hashes[id];
      if (hash !== undefined) reuse[id] = { hash, output };
    }
    return reuse;
  };
}

async function legacyHashes(ctx: BatchContext, job: JobState, r: RowResult, flow: Flow): Promise<Record<string, string>> {
  const row = await loadRow(ctx, job, r.rowIndex);
  const outputs = new Map<string, NodeOutput>(Object.entries(r.nodeOutputs));
  const out: Record<string, string> = {};
  for (const node of flow.nodes) {
    if (!outputs.has(node.id)) continue;
    const hash = nodeRunHash(node, outputs, row);
    if (hash !== undefined) out[node.id] = hash;
  }
  return out;
}

/** What the row resumes from in the new pass, and what it cost so far (carried into its new result). */
async function checkpointFor(r: RowResult, pass: number, reuse: ReuseOf, ctx: BatchContext): Promise<Checkpoint> {
  return { pass, nodeOutputs: {}, reuse: await reuse(r), costUsd: r.costUsd, carriedCostUsd: r.costUsd, updatedAt: ctx.deps.clock.now() };
}

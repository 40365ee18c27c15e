/**
 * Batch routes: create (from CSV text or columns + rows), estimate (the same input, nothing
 * created), list, get, run, cancel, pause, resume (a paused batch, or a cancelled one's never-run
 * rows as a new pass), retry failed, re-run chosen rows (optionally with an edited flow),
 * change concurrency, paged results, exports (CSV / JSONL, streamed, also while running). Each
 * route parses its input, calls one core handler and maps errors; nothing else.
 */
import { ValidationError, exportRows, parseCsv, type BatchLimits } from "@flowcraft/core";
import type { ServerResponse } from "node:http";
import { LOCAL_OWNER, type LocalHost } from "../local-host";
import { CreateBatchBody, EstimateBatchBody, PatchBatchBody, ResultsQuery, ResumeBatchBody, type TabularBody } from "./batch-bodies";
import { CsvUploads, readCsvBody } from "./csv-uploads";
import { parseBody, readJson, sendJson } from "./respond";
import type { Router } from "./router";
import { DEFAULT_STALL_MS, writeAll } from "./stream-out";

export interface BodyLimits {
  /** Create-batch bodies (they may carry a whole CSV). */
  uploadBytes: number;
  /** Every other JSON body. */
  jsonBytes: number;
  /** A CSV streamed to `POST /api/uploads`. */
  csvBytes: number;
}

function rowsFrom(body: TabularBody, limits: BatchLimits, uploads: CsvUploads): { columns: string[]; rows: Record<string, string>[] } {
  if (body.upload !== undefined) return uploads.get(body.upload);
  if (body.csv !== undefined) {
    try {
      return parseCsv(body.csv, { maxRows: limits.maxRows, maxColumns: limits.maxColumns, maxCellBytes: limits.maxCellBytes });
    } catch (err) {
      // Point the details at the csv field, keeping the row/column the reader named.
      if (err instanceof ValidationError) {
        throw new ValidationError(err.message, (err.details ?? []).map((d) => ({ path: `csv.${d.path}`, message: d.message })));
      }
      throw err;
    }
  }
  return { columns: body.columns ?? [], rows: body.rows ?? [] };
}

interface ExportRequest {
  id: string;
  format: "csv" | "jsonl";
  stallMs: number;
}

async function streamExport(host: LocalHost, res: ServerResponse, { id, format, stallMs }: ExportRequest): Promise<void> {
  const job = await host.handlers.getJob(LOCAL_OWNER, id);
  const safeName = (job.name || job.id).replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80) || job.id;
  res.writeHead(200, {
    "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "content-disposition": `attachment; filename="${safeName}.results.${format}"`,
    "cache-control": "no-store",
  });
  // Waits for drain (and gives up when the client leaves or stalls) instead of buffering the export.
  await writeAll(res, exportRows(host.deps, id, format), stallMs);
}

export function batchRoutes(router: Router, host: LocalHost, limits: BodyLimits, stallMs = DEFAULT_STALL_MS): void {
  const h = host.handlers;
  const uploads = new CsvUploads();
  router
    .on("POST", "/api/uploads", async ({ req, res }) => {
      const csv = await readCsvBody(req, limits.csvBytes, host.limits);
      sendJson(res, 201, { upload: { id: uploads.put(csv), columns: csv.columns, rowCount: csv.rows.length } });
    })
    .on("POST", "/api/batches", async ({ req, res }) => {
      const body = parseBody(CreateBatchBody, await readJson(req, limits.uploadBytes));
      const { columns, rows } = rowsFrom(body, host.limits, uploads);
      const job = await h.createJob({
        ...LOCAL_OWNER,
        flow: body.flow,
        columns,
        rows,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.concurrency !== undefined ? { concurrency: body.concurrency } : {}),
        ...(body.callLimits !== undefined ? { callLimits: body.callLimits } : {}),
        ...(body.start !== undefined ? { start: body.start } : {}),
        ...(body.budgetUsd !== undefined ? { budgetUsd: body.budgetUsd } : {}),
        ...(body.requestId !== undefined ? { requestId: body.requestId } : {}),
      });
      host.flush();
      if (body.upload !== undefined) uploads.drop(body.upload);
      sendJson(res, 201, { job });
    })
    // No job is created and no generation call made (unless dryRunRows asks for a dry run).
    .on("POST", "/api/batches/estimate", async ({ req, res }) => {
      const body = parseBody(EstimateBatchBody, await readJson(req, limits.uploadBytes));
      const { columns, rows } = rowsFrom(body, host.limits, uploads);
      const { csv: _csv, upload: _u, columns: _c, rows: _r, ...options } = body;
      sendJson(res, 200, { estimate: await h.estimateBatch(LOCAL_OWNER, { ...options, columns, rows }) });
    })
    .on("GET", "/api/batches", async ({ res }) => sendJson(res, 200, { jobs: await h.listJobs(LOCAL_OWNER) }))
    .on("GET", "/api/batches/:id", async ({ res, params }) => sendJson(res, 200, { job: await h.getJob(LOCAL_OWNER, params.id!) }))
    .on("POST", "/api/batches/:id/run", async ({ req, res, params }) => {
      await readJson(req, limits.jsonBytes);
      const job = await h.startJob(LOCAL_OWNER, params.id!);
      host.flush();
      sendJson(res, 200, { job });
    })
    .on("POST", "/api/batches/:id/cancel", async ({ req, res, params }) => {
      await readJson(req, limits.jsonBytes);
      const job = await h.cancelJob(LOCAL_OWNER, params.id!);
      host.flush();
      sendJson(res, 200, { job });
    })
    .on("POST", "/api/batches/:id/pause", async ({ req, res, params }) => {
      await readJson(req, limits.jsonBytes);
      const job = await h.pauseJob(LOCAL_OWNER, params.id!);
      host.flush();
      sendJson(res, 200, { job });
    })
    .on("POST", "/api/batches/:id/resume", async ({ req, res, params }) => {
      const body = parseBody(ResumeBatchBody, await readJson(req, limits.jsonBytes));
      const job = await h.resumeJob(LOCAL_OWNER, params.id!, body.budgetUsd !== undefined ? { budgetUsd: body.budgetUsd } : {});
      host.flush();
      sendJson(res, 200, { job });
    })
    .on("POST", "/api/batches/:id/retry-failed", async ({ req, res, params }) => {
      await readJson(req, limits.jsonBytes);
      const out = await h.retryFailed(LOCAL_OWNER, params.id!);
      host.flush();
      sendJson(res, 200, out);
    })
    // `{rows: "failed" | "not-run" | "all" | [indices], flow?}`, parsed and checked by the core. A flow
    // and a long index list can pass 1 MB together, so the body may be as large as a create's.
    .on("POST", "/api/batches/:id/rerun", async ({ req, res, params }) => {
      const body = await readJson(req, limits.uploadBytes);
      const out = await h.rerunRows(LOCAL_OWNER, params.id!, body);
      host.flush();
      sendJson(res, 200, out);
    })
    .on("PATCH", "/api/batches/:id", async ({ req, res, params }) => {
      const body = parseBody(PatchBatchBody, await readJson(req, limits.jsonBytes));
      const job = await h.setConcurrency(LOCAL_OWNER, params.id!, body.concurrency);
      host.flush();
      sendJson(res, 200, { job });
    })
    .on("GET", "/api/batches/:id/results", async ({ res, params, url }) => {
      const q = parseBody(ResultsQuery, Object.fromEntries(url.searchParams), "query string");
      const page = await h.listResults(LOCAL_OWNER, params.id!, { limit: q.limit ?? 100, cursor: q.cursor ?? null });
      sendJson(res, 200, page);
    })
    .on("GET", "/api/batches/:id/export.csv", ({ res, params }) => streamExport(host, res, { id: params.id!, format: "csv", stallMs }))
    .on("GET", "/api/batches/:id/export.jsonl", ({ res, params }) => streamExport(host, res, { id: params.id!, format: "jsonl", stallMs }));
}

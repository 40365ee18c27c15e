/**
 * Batch routes: create (from CSV text or columns + rows), estimate (the same input, nothing
 * created), list, get, delete, run, cancel, pause, resume (a paused batch, or a cancelled one's never-run
 * rows as a new pass), retry failed, re-run chosen rows (optionally with an edited flow),
 * change concurrency, paged results, paged input rows, exports (CSV / JSONL / ZIP, streamed, also while running). Each
 * route parses its input, calls one core handler and maps errors; nothing else.
 */
import { ExportQuery, SAMPLE_ROWS, exportOptionsOf, exportRows, parseCsv, reservoirSample, type BatchLimits, type Job, type MediaLink } from "@flowcraft/core";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { exportZip } from "../export-zip";
import { LOCAL_OWNER, type LocalHost } from "../local-host";
import { CreateBatchBody, EstimateBatchBody, PatchBatchBody, ResultsQuery, ResumeBatchBody, type TabularBody } from "./batch-bodies";
import { CsvUploads, underCsv, uploadRows } from "./csv-uploads";
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

/** The rows of a `csv` text or `columns` + `rows` body (an upload is read as a stream instead). */
function rowsFrom(body: TabularBody, limits: BatchLimits): { columns: string[]; rows: Record<string, string>[] } {
  if (body.csv !== undefined) {
    try {
      return parseCsv(body.csv, { maxRows: limits.maxRows, maxColumns: limits.maxColumns, maxCellBytes: limits.maxCellBytes });
    } catch (err) {
      throw underCsv(err);
    }
  }
  return { columns: body.columns ?? [], rows: body.rows ?? [] };
}

/** A create from an upload reads its file as a stream (createJobFromRows); other bodies carry their rows. */
async function createFrom(host: LocalHost, uploads: CsvUploads, body: CreateBatchBody): Promise<Job> {
  const { csv: _csv, upload, columns: _c, rows: _r, flow, ...options } = body;
  const common = { ...LOCAL_OWNER, flow, ...definedOnly(options) };
  if (upload === undefined) return host.handlers.createJob({ ...common, ...rowsFrom(body, host.limits) });
  const held = uploads.get(upload);
  const { job } = await host.handlers.createJobFromRows({ ...common, columns: held.columns, source: uploadRows(held, host.limits) });
  return job;
}

/** An estimate from an upload gets a seeded sample of its rows and their count. */
async function estimateRows(
  host: LocalHost,
  uploads: CsvUploads,
  body: EstimateBatchBody,
): Promise<{ columns: string[]; rows: Record<string, string>[]; totalRows?: number }> {
  if (body.upload === undefined) return rowsFrom(body, host.limits);
  const held = uploads.get(body.upload);
  const { sample } = await reservoirSample(uploadRows(held, host.limits).open(), SAMPLE_ROWS, body.seed ?? 1);
  return { columns: held.columns, rows: sample, totalRows: Math.max(held.rowCount, body.totalRows ?? 0) };
}

function definedOnly<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

interface ExportRequest {
  id: string;
  format: "csv" | "jsonl" | "zip";
  stallMs: number;
  req: IncomingMessage;
  url: URL;
}

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8", zip: "application/zip" } as const;

/**
 * A media cell links to this server's media route, absolute so a spreadsheet can open it. The
 * `Host` was already checked to be loopback (request-guard.ts); without one the link is relative.
 */
function mediaLinkFor(req: IncomingMessage): MediaLink {
  const origin = req.headers.host ? `http://${req.headers.host}` : "";
  return (m) => `${origin}/api/media/${m.ref.split("/").map(encodeURIComponent).join("/")}`;
}

async function streamExport(host: LocalHost, res: ServerResponse, { id, format, stallMs, req, url }: ExportRequest): Promise<void> {
  // Options are checked before the owner check's answer is written: a bad option is a 400, nothing sent.
  const options = exportOptionsOf(parseBody(ExportQuery, Object.fromEntries(url.searchParams), "query string"), format === "jsonl" ? "jsonl" : "csv");
  const job = await host.handlers.getJob(LOCAL_OWNER, id);
  const safeName = (job.name || job.id).replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80) || job.id;
  const body =
    format === "zip"
      ? exportZip(host, { jobId: id, csvName: `${safeName}.results.csv`, options })
      : exportRows(host.deps, id, format, { ...options, mediaLink: mediaLinkFor(req) });
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[format],
    "content-disposition": `attachment; filename="${safeName}.results.${format}"`,
    "cache-control": "no-store",
  });
  // Waits for drain (and gives up when the client leaves or stalls) instead of buffering the export.
  await writeAll(res, body, stallMs);
}

export function batchRoutes(router: Router, host: LocalHost, limits: BodyLimits, stallMs = DEFAULT_STALL_MS): void {
  const h = host.handlers;
  const uploads = new CsvUploads(path.join(host.dataDir, "uploads"));
  router
    .on("POST", "/api/uploads", async ({ req, res }) => {
      const { id, csv } = await uploads.receive(req, limits.csvBytes, host.limits);
      sendJson(res, 201, { upload: { id, columns: csv.columns, rowCount: csv.rowCount } });
    })
    .on("POST", "/api/batches", async ({ req, res }) => {
      const body = parseBody(CreateBatchBody, await readJson(req, limits.uploadBytes));
      const job = await createFrom(host, uploads, body);
      host.flush();
      if (body.upload !== undefined) uploads.drop(body.upload);
      sendJson(res, 201, { job });
    })
    // No job is created and no generation call made (unless dryRunRows asks for a dry run).
    .on("POST", "/api/batches/estimate", async ({ req, res }) => {
      const body = parseBody(EstimateBatchBody, await readJson(req, limits.uploadBytes));
      const rows = await estimateRows(host, uploads, body);
      const { csv: _csv, upload: _u, columns: _c, rows: _r, ...options } = body;
      sendJson(res, 200, { estimate: await h.estimateBatch(LOCAL_OWNER, { ...options, ...rows }) });
    })
    .on("GET", "/api/batches", async ({ res }) => sendJson(res, 200, { jobs: await h.listJobs(LOCAL_OWNER) }))
    .on("GET", "/api/batches/:id", async ({ res, params }) => sendJson(res, 200, { job: await h.getJob(LOCAL_OWNER, params.id!) }))
    // Refused (409) while the batch runs or is paused: cancel it first.
    .on("DELETE", "/api/batches/:id", async ({ req, res, params }) => {
      await readJson(req, limits.jsonBytes);
      const { id } = await h.deleteJob(LOCAL_OWNER, params.id!);
      host.flush();
      sendJson(res, 200, { id, deleted: true });
    })
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
    // Input cells by row index (cursor = first row index), read as a range of row chunks.
    .on("GET", "/api/batches/:id/rows", async ({ res, params, url }) => {
      const q = parseBody(ResultsQuery, Object.fromEntries(url.searchParams), "query string");
      sendJson(res, 200, await h.listRows(LOCAL_OWNER, params.id!, { limit: q.limit ?? 100, cursor: q.cursor ?? null }));
    })
    .on("GET", "/api/batches/:id/export.csv", ({ req, res, params, url }) => streamExport(host, res, { id: params.id!, format: "csv", stallMs, req, url }))
    .on("GET", "/api/batches/:id/export.jsonl", ({ req, res, params, url }) => streamExport(host, res, { id: params.id!, format: "jsonl", stallMs, req, url }))
    .on("GET", "/api/batches/:id/export.zip", ({ req, res, params, url }) => streamExport(host, res, { id: params.id!, format: "zip", stallMs, req, url }));
}

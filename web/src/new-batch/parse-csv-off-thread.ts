/** Parses a CSV in a short-lived Web Worker; resolves with the table or rejects with a BackendError. */
import type { BatchLimits } from "@core/batch/limits";
import { BackendError } from "../backend/types";
import type { CsvWorkerRequest, CsvWorkerResponse } from "./csv-worker-protocol";
import type { CsvHead, CsvReadProgress } from "./stream-csv";

export interface ParsedTable {
  columns: string[];
  rows: Record<string, string>[];
  parseMs: number;
}

/**
 * Parse limits are looser than the batch limits on purpose: the batch dialog then shows every row
 * that breaks a limit (cell size, row count) instead of stopping at the first.
 */
export function parseLimits(limits: BatchLimits): CsvWorkerRequest["limits"] {
  return { maxRows: limits.maxRows * 5, maxColumns: limits.maxColumns * 5, maxCellBytes: Math.max(limits.maxCellBytes * 20, 1 << 20) };
}

let nextId = 1;

export interface ParseWatch {
  /** The first rows, before the whole file is read (files only). */
  onHead?: (head: CsvHead) => void;
  onProgress?: (progress: CsvReadProgress) => void;
}

export function parseCsvOffThread(source: Blob | string, limits: BatchLimits, watch: ParseWatch = {}): Promise<ParsedTable> {
  const worker = new Worker(new URL("./csv-worker.ts", import.meta.url), { type: "module", name: "csv-parser" });
  const id = nextId++;
  return new Promise<ParsedTable>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<CsvWorkerResponse>) => {
      const msg = e.data;
      if (msg.id !== id) return;
      if (msg.kind === "head") return watch.onHead?.(msg.head);
      if (msg.kind === "progress") return watch.onProgress?.(msg.progress);
      worker.terminate();
      if (msg.ok) resolve({ columns: msg.columns, rows: msg.rows, parseMs: msg.parseMs });
      else reject(new BackendError(msg.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new BackendError({ code: "internal", message: `The CSV could not be read: ${e.message || "worker error"}`, retryable: false }));
    };
    const request: CsvWorkerRequest = { id, source, limits: parseLimits(limits) };
    worker.postMessage(request);
  });
}

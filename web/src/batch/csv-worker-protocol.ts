/** Messages between the page and the CSV worker. */
import type { ErrorInfo } from "@core/errors";

export interface CsvWorkerRequest {
  id: number;
  /** A File/Blob (read inside the worker) or CSV text. */
  source: Blob | string;
  limits: { maxRows: number; maxColumns: number; maxCellBytes: number };
}

export type CsvWorkerResponse =
  | { id: number; ok: true; columns: string[]; rows: Record<string, string>[]; parseMs: number }
  | { id: number; ok: false; error: ErrorInfo };

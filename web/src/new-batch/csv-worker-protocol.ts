/** Messages between the page and the CSV worker: a head and progress while reading, then the table. */
import type { ErrorInfo } from "@core/errors";
import type { CsvHead, CsvReadProgress } from "./stream-csv";

export interface CsvWorkerRequest {
  id: number;
  /** A File/Blob (streamed inside the worker) or CSV text. */
  source: Blob | string;
  limits: { maxRows: number; maxColumns: number; maxCellBytes: number };
}

export type CsvWorkerResponse =
  | { id: number; kind: "head"; head: CsvHead }
  | { id: number; kind: "progress"; progress: CsvReadProgress }
  | { id: number; kind: "done"; ok: true; columns: string[]; rows: Record<string, string>[]; parseMs: number }
  | { id: number; kind: "done"; ok: false; error: ErrorInfo };

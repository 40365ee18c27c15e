/**
 * Web Worker: reads and parses an uploaded CSV off the main thread with core's `parseCsv`, so a
 * file of thousands of rows never freezes the page. A file's bytes are decoded by core's
 * `decodeCsvBytes` (BOMs, UTF-16; Windows-1252 and `;`-separated files refused with the fix), so
 * the user reads what is wrong before anything is uploaded. One request in, one answer out.
 */
import { decodeCsvBytes } from "@core/csv/encoding";
import { parseCsv } from "@core/csv/read";
import { toErrorInfo } from "@core/errors";
import type { CsvWorkerRequest, CsvWorkerResponse } from "./csv-worker-protocol";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<CsvWorkerRequest>) => void) | null;
  postMessage: (message: CsvWorkerResponse) => void;
};

scope.onmessage = (e) => {
  const { id, source, limits } = e.data;
  const started = performance.now();
  const run = async (): Promise<void> => {
    const text = typeof source === "string" ? source : decodeCsvBytes(new Uint8Array(await source.arrayBuffer()));
    const parsed = parseCsv(text, limits);
    scope.postMessage({ id, ok: true, columns: parsed.columns, rows: parsed.rows, parseMs: performance.now() - started });
  };
  run().catch((err: unknown) => scope.postMessage({ id, ok: false, error: toErrorInfo(err) }));
};

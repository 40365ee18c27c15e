/**
 * Web Worker: reads and parses an uploaded CSV off the main thread with core's `parseCsv`, so a
 * file of thousands of rows never freezes the page. One request in, one answer out.
 */
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
    const text = typeof source === "string" ? source : await source.text();
    const parsed = parseCsv(text, limits);
    scope.postMessage({ id, ok: true, columns: parsed.columns, rows: parsed.rows, parseMs: performance.now() - started });
  };
  run().catch((err: unknown) => scope.postMessage({ id, ok: false, error: toErrorInfo(err) }));
};

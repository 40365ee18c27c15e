/**
 * Web Worker: reads and parses an uploaded CSV off the main thread, so a file of 100,000 rows never
 * freezes the page. A file is streamed (`streamCsv`: core's stream parser and byte decoder: BOMs,
 * UTF-16; Windows-1252 and `;`-separated files refused with the fix): its first rows are posted at
 * once for the preview, then progress, then the whole table or the problems found.
 */
import { parseCsv } from "@core/csv/read";
import { toErrorInfo } from "@core/errors";
import type { CsvWorkerRequest, CsvWorkerResponse } from "./csv-worker-protocol";
import { streamCsv } from "./stream-csv";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<CsvWorkerRequest>) => void) | null;
  postMessage: (message: CsvWorkerResponse) => void;
};

scope.onmessage = (e) => {
  const { id, source, limits } = e.data;
  const started = performance.now();
  const run = async (): Promise<void> => {
    const parsed =
      typeof source === "string"
        ? parseCsv(source, limits)
        : await streamCsv(source, limits, {
            onHead: (head) => scope.postMessage({ id, kind: "head", head }),
            onProgress: (progress) => scope.postMessage({ id, kind: "progress", progress }),
          });
    scope.postMessage({ id, kind: "done", ok: true, columns: parsed.columns, rows: parsed.rows, parseMs: performance.now() - started });
  };
  run().catch((err: unknown) => scope.postMessage({ id, kind: "done", ok: false, error: toErrorInfo(err) }));
};

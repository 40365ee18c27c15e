/**
 * The results as one ZIP, streamed (yazl): first the results CSV, whose media cells name the files
 * beside it, then every image and video as `row-00012-visual.png` (core/src/batch/export-media.ts).
 * Media files are piped from disk one at a time, never loaded whole, and the archive is never held:
 * memory is one chunk plus one name per media file (yazl keeps those for the central directory).
 * Works while the batch runs: the CSV is read once, and exactly the media it names are packed, so
 * the entries always match its cells. Used by `GET /api/batches/:id/export.zip` and `run --zip`.
 */
import { MediaCollector, exportRows, type ExportOptions } from "@flowcraft/core";
import { Readable } from "node:stream";
import { ZipFile } from "yazl";
import type { LocalHost } from "./local-host";

export interface ZipRequest {
  jobId: string;
  /** The CSV entry's name (`NAME.results.csv`). */
  csvName: string;
  /** CSV options; `mediaLink` is the ZIP's own. */
  options: Omit<ExportOptions, "mediaLink">;
}

/** The ZIP as a byte stream; destroying it stops reading the store and closes any open media file. */
export function exportZip(host: Pick<LocalHost, "deps" | "blobs">, req: ZipRequest): Readable {
  const zip = new ZipFile();
  const out = zip.outputStream as Readable;
  const media = new MediaCollector();
  const csv = Readable.from(exportRows(host.deps, req.jobId, "csv", { ...req.options, mediaLink: media.link }));
  const open = new Set<Readable>();
  const fail = (err: unknown): void => void out.destroy(err instanceof Error ? err : new Error(String(err)));
  out.once("close", () => {
    csv.destroy();
    for (const s of open) s.destroy();
  });
  csv.once("error", fail);
  csv.once("end", () => {
    for (const file of media.take()) {
      // Lazy: a file is opened only when its turn comes, so one is open at a time.
      zip.addReadStreamLazy(file.name, { compress: false }, (cb) => {
        host.blobs.openRead(file.ref).then(
          (blob) => {
            if (!blob) return cb(new Error(`media ${file.name} is gone from the store`), Readable.from([]));
            const stream = blob.stream;
            open.add(stream);
            stream.once("close", () => open.delete(stream));
            cb(null, stream);
          },
          (err: unknown) => cb(err, Readable.from([])),
        );
      });
    }
    zip.end();
  });
  zip.once("error", fail);
  zip.addReadStream(csv, req.csvName);
  return out;
}

/**
 * The Firebase-mode download: the file is built in the browser from the job's documents as
 * Firestore holds them (the job, its `results` and its input `rows` chunks), by the same core
 * records the local host streams (`@core/batch/export-records`), so both write the same bytes.
 * The ZIP is zipped here too (fflate): the results CSV, then each image and video read from Cloud
 * Storage. The owner check is the security rules': only the job's owner can read its results and
 * its media (firestore.rules, storage.rules), so nobody else can build it.
 */
import { MediaCollector } from "@core/batch/export-media";
import { exportText, type ExportFormat, type ExportOptions, type MediaLink } from "@core/batch/export-records";
import { RowResult, type Job } from "@core/batch/model";
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";
import { inputsFromRowDocs, type RowDoc } from "../lib/row-docs";

export type ExportJobDoc = Pick<Job, "columns" | "outputColumns" | "status" | "totalRows"> & Partial<Pick<Job, "flowConfig">>;

/**
 * `rowDocs` null means the input rows could not be read (the export then has empty input cells).
 * A result document that does not parse is left out (its row exports as not run yet). Media
 * cells hold the Cloud Storage path (`gs://…`), readable by the job's owner only.
 */
export function firebaseExportText(
  job: ExportJobDoc,
  resultDocs: readonly unknown[],
  rowDocs: readonly RowDoc[] | null,
  format: ExportFormat,
  opts: ExportOptions = {},
): string {
  const results = new Map<number, RowResult>();
  for (const data of resultDocs) {
    const parsed = RowResult.safeParse(data);
    if (parsed.success) results.set(parsed.data.rowIndex, parsed.data);
  }
  const inputs = rowDocs ? inputsFromRowDocs(rowDocs) : null;
  return exportText(job, inputs, results, format, opts);
}

/** Every media reference the results hold (outputs and node outputs), once each, in row order. */
export function mediaRefsOf(resultDocs: readonly unknown[]): string[] {
  const refs = new Set<string>();
  for (const data of resultDocs) {
    const parsed = RowResult.safeParse(data);
    if (!parsed.success) continue;
    for (const o of [...Object.values(parsed.data.outputs), ...Object.values(parsed.data.nodeOutputs)]) if (o.kind === "mediaRef") refs.add(o.ref);
  }
  return [...refs];
}

/** The refs signed `MAX_SIGN_BATCH` at a time by `sign` (the signMediaLinks callable), as a media link. */
export const MAX_SIGN_BATCH = 500;

export async function signedMediaLink(refs: readonly string[], sign: (refs: string[]) => Promise<string[]>): Promise<MediaLink> {
  const urls = new Map<string, string>();
  for (let i = 0; i < refs.length; i += MAX_SIGN_BATCH) {
    const part = refs.slice(i, i + MAX_SIGN_BATCH);
    const signed = await sign(part);
    part.forEach((ref, j) => urls.set(ref, signed[j] ?? ref));
  }
  return (m) => urls.get(m.ref) ?? m.ref;
}

export interface ZipInput {
  job: ExportJobDoc;
  resultDocs: readonly unknown[];
  rowDocs: readonly RowDoc[] | null;
  /** The CSV entry's name. */
  csvName: string;
  options: Omit<ExportOptions, "mediaLink">;
  /** Reads one stored media file (Cloud Storage, under the rules' owner check). */
  readMedia(ref: string): Promise<Uint8Array>;
}

/**
 * The ZIP as a Blob: the CSV whose media cells name the entries (`row-00012-visual.png`), then
 * each file once. Media are fetched one at a time and handed to the Blob as they are packed.
 */
export async function firebaseExportZip(input: ZipInput): Promise<Blob> {
  const media = new MediaCollector();
  const csv = firebaseExportText(input.job, input.resultDocs, input.rowDocs, "csv", { ...input.options, mediaLink: media.link });
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const state: { failure: Error | null } = { failure: null };
  const zip = new Zip((err, chunk) => {
    if (err) state.failure = err;
    else parts.push(new Uint8Array(chunk));
  });
  const csvEntry = new ZipDeflate(input.csvName);
  zip.add(csvEntry);
  csvEntry.push(new TextEncoder().encode(csv), true);
  for (const file of media.take()) {
    const entry = new ZipPassThrough(file.name);
    zip.add(entry);
    entry.push(await input.readMedia(file.ref), true);
  }
  zip.end();
  if (state.failure) throw state.failure;
  return new Blob(parts, { type: "application/zip" });
}

/**
 * What `run` writes when the batch ends: the results file (CSV or JSON Lines by its extension,
 * with the export options `--columns nodes`, `--spread json`, `--bom`), every image and video in
 * `RESULTS.media/` beside it (`row-00012-visual.png`; a media cell is the relative path
 * `RESULTS.media/row-00012-visual.png`, so it opens from the results file's folder whether or
 * not the data directory is kept), and with `--zip` the same results as `RESULTS.zip`
 * (export-zip.ts). Everything is streamed to disk.
 */
import { MediaCollector, exportRows, type ExportOptions } from "@flowcraft/core";
import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { pipeline } from "node:stream/promises";
import { exportZip } from "../export-zip";
import type { LocalHost } from "../local-host";
import { UsageError, stringOption, type ParsedArgs } from "./args";

export const EXPORT_OPTIONS = { columns: "value", spread: "value", bom: "flag", zip: "flag" } as const;

export interface ResultsPlan {
  out: string;
  zip: boolean;
  options: Omit<ExportOptions, "mediaLink">;
}

export interface WrittenResults {
  /** The media folder, when the batch made media. */
  media: string | null;
  zip: string | null;
}

const formatOf = (out: string): "csv" | "jsonl" => (/\.(jsonl|ndjson)$/i.test(out) ? "jsonl" : "csv");
const stem = (out: string): string => out.replace(/\.[^./\\]*$/, "");

/** The export flags of `run`, checked before anything runs. */
export function resultsPlan(args: ParsedArgs, out: string): ResultsPlan {
  const columns = stringOption(args.options, "columns");
  const spread = stringOption(args.options, "spread");
  if (columns !== undefined && columns !== "nodes" && columns !== "results") throw new UsageError("--columns must be results (the default) or nodes");
  if (spread !== undefined && spread !== "json" && spread !== "none") throw new UsageError("--spread must be none (the default) or json");
  const bom = args.options.bom === true;
  if (bom && formatOf(out) !== "csv") throw new UsageError("--bom applies to a CSV results file, not JSON Lines");
  return { out, zip: args.options.zip === true, options: { nodes: columns === "nodes", spread: spread === "json", bom } };
}

async function writeStream(file: string, chunks: AsyncIterable<string>): Promise<void> {
  const stream = fs.createWriteStream(file);
  for await (const chunk of chunks) {
    if (!stream.write(chunk)) await once(stream, "drain");
  }
  stream.end();
  await once(stream, "finish");
}

/** Copies each media file the results name into the media folder, one stream at a time. */
async function copyMedia(host: LocalHost, files: ReturnType<MediaCollector["take"]>, dir: string): Promise<void> {
  if (files.length > 0) fs.mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const blob = await host.blobs.openRead(file.ref);
    if (blob) await pipeline(blob.stream, fs.createWriteStream(path.join(dir, file.name)));
  }
}

export async function writeResults(host: LocalHost, jobId: string, plan: ResultsPlan): Promise<WrittenResults> {
  const { out } = plan;
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const mediaDir = `${stem(out)}.media`;
  const linkDir = path.basename(mediaDir);
  const media = new MediaCollector();
  const options = { ...plan.options, mediaLink: (m: Parameters<MediaCollector["link"]>[0]) => `${linkDir}/${media.link(m)}` };
  await writeStream(out, exportRows(host.deps, jobId, formatOf(out), options));
  const files = media.take();
  await copyMedia(host, files, mediaDir);
  let zip: string | null = null;
  if (plan.zip) {
    zip = `${stem(out)}.zip`;
    const csvName = `${path.basename(stem(out))}.csv`;
    await pipeline(exportZip(host, { jobId, csvName, options: plan.options }), fs.createWriteStream(zip));
  }
  return { media: files.length > 0 ? mediaDir : null, zip };
}

/**
 * The Gemini Batch API's file route (used by gemini-batches.ts beyond the inline limit): the
 * requests go up as one JSONL input file through the Files API, the answers come back as a JSONL
 * output file, read as a stream.
 *
 * - Input line: `{"key": <item key>, "request": <GenerateContentRequest as the REST API reads it>}`
 *   (the same `contents` / `systemInstruction` / `generationConfig` the SDK sends for an inlined
 *   request). Written to a temporary file while hashed, uploaded with the SDK's resumable upload
 *   (`ai.files.upload`, 8 MB chunks read from disk), removed afterwards: memory stays bounded by a
 *   chunk, not by the file.
 * - The file's name is derived from the job's display name (`files/fc-<sha256[:32]>`, the Files
 *   API takes a client-chosen id of up to 40 lowercase characters), so a submit repeated after a
 *   crash between upload and create meets its own earlier upload: the Files API answers the taken
 *   name with 409 ALREADY_EXISTS, and the file is reused when its size and SHA-256 equal the new
 *   content (else deleted and uploaded again). The batch job itself is never created twice: that
 *   is the display-name lookup of provider-jobs.ts.
 * - Output line: `{"key": …, "response": GenerateContentResponse}` or `{"key": …, "error":
 *   google.rpc.Status}`. Read line by line from the download URL (`/download/v1beta/files/{id}
 *   :download?alt=media`, the key header only to the configured origin, a redirect followed
 *   without it); a line longer than `MAX_OUTPUT_LINE_CHARS` is cut to its head (enough to read its
 *   key) and reported as malformed.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { once } from "node:events";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiError, FileState, type GoogleGenAI } from "@google/genai";
import type { BatchItem, BatchTextRequest } from "./batch-port";
import { keyedGet } from "./keyed-get";
import { textConfig, textContents } from "./gemini-text";

/**
 * Request bytes one file-backed job may hold. The Batch API takes input files up to 2 GB; this
 * stays at 200 MB because one job's requests are rendered and held in memory by the task that
 * submits it and by the poll that reads its answers (the row-task function has 2 GiB, and Cloud
 * Functions' /tmp, where the JSONL is staged, is memory too), and because a job's tokens count
 * against the project's enqueued-batch-token limit, where smaller jobs queue more evenly.
 */
export const FILE_BATCH_LIMIT_BYTES = 200_000_000;

/** MIME type of the uploaded requests (as the Batch API's REST guide uploads JSONL). */
export const BATCH_INPUT_MIME_TYPE = "application/jsonl";

/** Longest output line read in full; one answer is far smaller (output tokens are capped). */
export const MAX_OUTPUT_LINE_CHARS = 32 * 1024 * 1024;

const KEY_HEAD_CHARS = 4096;

/** The Files API name of the input file of the job with this display name. */
export function inputFileName(displayName: string): string {
  return `files/fc-${createHash("sha256").update(displayName, "utf8").digest("hex").slice(0, 32)}`;
}

/** One item's request in the REST shape (what the SDK makes of `textContents` + `textConfig`). */
export function wireTextRequest(req: BatchTextRequest): Record<string, unknown> {
  // textConfig holds only systemInstruction (a string) and generation settings.
  const { systemInstruction, ...generationConfig } = textConfig(req);
  return {
    contents: textContents(req.prompt),
    ...(typeof systemInstruction === "string" ? { systemInstruction: { role: "user", parts: [{ text: systemInstruction }] } } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}

export interface FileRouteDeps {
  ai: GoogleGenAI;
  apiKey?: string;
  /** Origin (and optional path prefix) the download URL is built on, e.g. https://generativelanguage.googleapis.com. */
  baseUrl: string;
}

/** Uploads the items as the JSONL input file of `displayName` (or reuses an identical earlier upload); returns its name. */
export async function uploadInputFile(deps: FileRouteDeps, displayName: string, items: readonly BatchItem[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "flowcraft-batch-"));
  try {
    const file = path.join(dir, "requests.jsonl");
    const written = await writeJsonl(file, items);
    const name = inputFileName(displayName);
    const upload = () => deps.ai.files.upload({ file, config: { name, displayName, mimeType: BATCH_INPUT_MIME_TYPE } });
    try {
      await upload();
      return name;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409)) throw err;
    }
    // The name is taken: an upload of an earlier, interrupted submit of this job.
    const existing = await deps.ai.files.get({ name });
    const same = existing.state !== FileState.FAILED && Number(existing.sizeBytes) === written.bytes && existing.sha256Hash === written.sha256;
    if (same) return name;
    await deps.ai.files.delete({ name });
    await upload();
    return name;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes one line per item; returns the byte count and the SHA-256 (base64, as the Files API reports it). */
async function writeJsonl(file: string, items: readonly BatchItem[]): Promise<{ bytes: number; sha256: string }> {
  const out = createWriteStream(file);
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    for (const item of items) {
      const line = Buffer.from(`${JSON.stringify({ key: item.key, request: wireTextRequest(item.request) })}\n`, "utf8");
      hash.update(line);
      bytes += line.length;
      if (!out.write(line)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  } finally {
    out.destroy();
  }
  return { bytes, sha256: hash.digest("base64") };
}

export interface OutputLine {
  /** Line number in the file, from 1. */
  line: number;
  text: string;
  /** The line was longer than `MAX_OUTPUT_LINE_CHARS`; `text` holds only its head. */
  truncated: boolean;
}

/** The output file's non-empty lines, streamed. */
export async function* readOutputLines(deps: FileRouteDeps, fileName: string, signal?: AbortSignal): AsyncGenerator<OutputLine> {
  const res = await download(deps, fileName, signal);
  if (!res.body) return;
  const decoder = new TextDecoder("utf-8");
  let parts: string[] = [];
  let length = 0;
  let truncated = false;
  let line = 0;
  const take = (): OutputLine | undefined => {
    const text = parts.join("");
    const out = { line: ++line, text, truncated };
    parts = [];
    length = 0;
    truncated = false;
    return text.trim() === "" ? undefined : out;
  };
  const add = (piece: string) => {
    if (truncated) return;
    if (length + piece.length > MAX_OUTPUT_LINE_CHARS) {
      parts = [parts.join("").concat(piece).slice(0, KEY_HEAD_CHARS)];
      length = parts[0]!.length;
      truncated = true;
      return;
    }
    parts.push(piece);
    length += piece.length;
  };
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    let text = decoder.decode(chunk, { stream: true });
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
      add(text.slice(0, nl));
      text = text.slice(nl + 1);
      const out = take();
      if (out) yield out;
    }
    add(text);
  }
  add(decoder.decode());
  const last = take();
  if (last) yield last;
}

async function download(deps: FileRouteDeps, fileName: string, signal: AbortSignal | undefined): Promise<Response> {
  const base = deps.baseUrl.replace(/\/+$/, "");
  const url = new URL(`${base}/download/v1beta/${fileName}:download?alt=media`);
  const headers: Record<string, string> = deps.apiKey ? { "x-goog-api-key": deps.apiKey } : {};
  return keyedGet(url, headers, signal);
}

/** The key at the start of a line that does not parse (`{"key": "…"`), when it is there. */
export function keyOfBrokenLine(text: string): string | undefined {
  const m = /^\s*\{\s*"key"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text.slice(0, KEY_HEAD_CHARS));
  if (!m) return undefined;
  try {
    const key: unknown = JSON.parse(m[1]!);
    return typeof key === "string" ? key : undefined;
  } catch {
    return undefined;
  }
}

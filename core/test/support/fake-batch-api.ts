/**
 * The Gemini Batch API on the fake Gemini server, with the state a real service keeps: jobs
 * created, their state, and per-item answers. Install it on a `FakeGeminiServer` (after `reset()`)
 * and point the real `@google/genai` SDK at the server.
 *
 * Routes (Gemini API, v1beta; paths and shapes as @google/genai 2.32 builds and parses them in
 * `createBatchJobParametersToMldev`, `batchJobFromMldev`, `listBatchJobsResponseFromMldev`):
 *   POST /v1beta/models/{model}:batchGenerateContent  body {batch:{displayName, inputConfig:
 *        {requests:{requests:[{request, metadata}]}}}}  → the job as an operation
 *        {name:"batches/…", metadata:{model, displayName, state, createTime, batchStats, output?}}
 *   GET  /v1beta/batches/{id}                          → the job (counts one poll)
 *   POST /v1beta/batches/{id}:cancel                   → {} and state CANCELLED
 *   GET  /v1beta/batches?pageSize&pageToken            → {operations:[…], nextPageToken?}
 * States are `BATCH_STATE_*` on the wire (the SDK maps them to `JOB_STATE_*`).
 *
 * The file route (Files API as `ai.files.upload/get/delete` speak it in `fetchUploadUrl` and the
 * Node uploader; JSONL as the Batch API documents it):
 *   POST /upload/v1beta/files  X-Goog-Upload-Protocol: resumable, X-Goog-Upload-Command: start,
 *        body {file:{name?, displayName?, mimeType, sizeBytes}}  → 200, header X-Goog-Upload-URL
 *        (a taken `name` → 409 ALREADY_EXISTS)
 *   POST {upload URL}  X-Goog-Upload-Command: upload[, finalize], X-Goog-Upload-Offset: n, bytes
 *        → header X-Goog-Upload-Status: active, or final with {file:{name, sizeBytes, sha256Hash,
 *        state:"ACTIVE", uri, …}}
 *   GET / DELETE /v1beta/files/{id}                    → the file / {}
 *   GET  /download/v1beta/files/{id}:download?alt=media (and /v1beta/files/{id}:download) → bytes
 *   batch create with {batch:{inputConfig:{fileName:"files/…"}}}: the file's lines
 *        `{"key", "request"}` are the job's requests; on success the job's
 *        `output.responsesFile` names an output file of `{"key", "response" | "error"}` lines.
 * With `inlineLimitBytes`, a create whose body is larger is refused (400) as Gemini refuses
 * inline batches over its request-size limit.
 *
 * Progress: a job is PENDING when created, RUNNING after its first poll, and SUCCEEDED on the
 * poll numbered `pollsToFinish` (default 2), unless a test settles it with `finish`, `fail` or
 * `expire`. Each item is answered by `answer(request, index)` (default: a text echo of the
 * prompt), which may return a google.rpc.Status error for that item instead. `installRealtime`
 * answers realtime `:generateContent` calls with the same function (an error as its HTTP status),
 * and `createDelayMs` holds create responses (the window between the provider's create and the
 * client learning the job's name).
 */
import { createHash } from "node:crypto";
import { rpcCodeToHttpStatus } from "../../src/ai/classify-error";
import type { FakeGeminiServer, RecordedRequest, ScriptedResponse } from "./fake-gemini-server";

export type WireState = "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED" | "EXPIRED";

/** One inlined request as the SDK sends it. */
export interface WireBatchRequest {
  request: {
    model?: string;
    contents?: Array<{ role?: string; parts?: Array<{ text?: string }> }>;
    systemInstruction?: { parts?: Array<{ text?: string }> };
    generationConfig?: Record<string, unknown>;
  };
  metadata?: Record<string, string>;
  /** The line's `key` (file route). */
  key?: string;
}

/** What one item answers: a generateContent response body, or an error status. */
export type ItemAnswer = { response: Record<string, unknown> } | { error: { code: number; message: string; status?: string } };

export interface FakeBatchJob {
  name: string;
  model: string;
  displayName: string;
  state: WireState;
  requests: WireBatchRequest[];
  polls: number;
  createTime: string;
  answers?: ItemAnswer[];
  /** The input file the job was created from (file route). */
  inputFile?: string;
  /** The output file of its answers, once succeeded (file route). */
  outputFile?: string;
}

/** A file of the fake Files API. */
export interface FakeFile {
  name: string;
  displayName: string;
  mimeType: string;
  content: Buffer;
  createTime: string;
}

export interface FakeBatchApiOptions {
  pollsToFinish?: number;
  answer?: (request: WireBatchRequest, index: number) => ItemAnswer;
  /** Page size when the client asks for none (the real API's default is small too). */
  defaultPageSize?: number;
  /** Refuse inline creates whose body is larger (Gemini's inline request-size limit); default none. */
  inlineLimitBytes?: number;
  /** Rewrites a file job's output lines before they are stored (reorder, damage a line). */
  outputLines?: (lines: string[], job: FakeBatchJob) => string[];
  /** Holds each create's response this long (the job exists from the moment the request arrives). */
  createDelayMs?: number;
}

interface UploadSession {
  file: { name?: string; displayName?: string; mimeType?: string };
  declaredBytes: number;
  parts: Buffer[];
  received: number;
}

const FILE_ID = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** google.rpc.Code names for the error bodies of realtime answers. */
const RPC_STATUS: Record<number, string> = {
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};

const TERMINAL: ReadonlySet<WireState> = new Set(["SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED"]);

/** The prompt text of an inlined request (all text parts of all contents). */
export function promptOf(request: WireBatchRequest): string {
  return (request.request.contents ?? [])
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? "")
    .join("");
}

/** The default answer: `echo: <prompt>` with token counts, like a real text response. */
export function echoAnswer(request: WireBatchRequest): ItemAnswer {
  const prompt = promptOf(request);
  const text = `echo: ${prompt}`;
  return {
    response: {
      candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: prompt.length, candidatesTokenCount: text.length, totalTokenCount: prompt.length + text.length },
      modelVersion: "gemini-test-001",
    },
  };
}

export class FakeBatchApi {
  readonly jobs = new Map<string, FakeBatchJob>();
  readonly files = new Map<string, FakeFile>();
  /** Names of files deleted through the API, in order. */
  readonly deletedFiles: string[] = [];
  private nextId = 1;
  private nextFileId = 1;
  private readonly uploads = new Map<string, UploadSession>();
  private readonly pollsToFinish: number;
  private readonly answer: (request: WireBatchRequest, index: number) => ItemAnswer;
  private readonly defaultPageSize: number;
  private readonly inlineLimitBytes: number;
  private readonly outputLines: (lines: string[], job: FakeBatchJob) => string[];
  /** Holds each create's response this long (see the options; a test may change it between creates). */
  createDelayMs: number;
  /** Realtime `:generateContent` calls answered by `installRealtime`. */
  realtimeCalls = 0;

  constructor(opts: FakeBatchApiOptions = {}) {
    this.pollsToFinish = opts.pollsToFinish ?? 2;
    this.answer = opts.answer ?? echoAnswer;
    this.defaultPageSize = opts.defaultPageSize ?? 2;
    this.inlineLimitBytes = opts.inlineLimitBytes ?? Number.POSITIVE_INFINITY;
    this.outputLines = opts.outputLines ?? ((lines) => lines);
    this.createDelayMs = opts.createDelayMs ?? 0;
  }

  /**
   * Also answers realtime `:generateContent` calls with the same `answer` as the batch items (a
   * response body, or the item's google.rpc.Status as the HTTP error a realtime call gets), so a
   * realtime run and a batch run of the same requests see the same answers.
   */
  installRealtime(server: FakeGeminiServer): this {
    server.script(/:generateContent$/, (r) => this.realtime(r));
    return this;
  }

  private realtime(r: RecordedRequest): ScriptedResponse {
    if (r.method !== "POST") return notFound(r.path);
    const a = this.answer({ request: r.body ?? {} }, this.realtimeCalls++);
    if ("response" in a) return { json: a.response };
    const status = rpcCodeToHttpStatus(a.error.code);
    return { status, json: { error: { code: status, message: a.error.message, status: a.error.status ?? RPC_STATUS[a.error.code] ?? "UNKNOWN" } } };
  }

  /** Adds the routes to `server` (call again after `server.reset()`). */
  install(server: FakeGeminiServer): this {
    server.script(/^\/upload\/v1beta\/files$/, (r, s) => this.upload(r, s));
    server.script(/^\/(download\/)?v1beta\/files\/[^/:]+:download$/, (r) => this.download(r));
    server.script(/^\/v1beta\/files\/[^/:]+$/, (r) => this.fileRoute(r));
    server.script(/:batchGenerateContent$/, (r) => this.create(r));
    server.script(/^\/v1beta\/batches\/[^/:]+:cancel$/, (r) => this.cancel(r));
    server.script(/^\/v1beta\/batches\/[^/:]+$/, (r) => this.get(r));
    server.script(/^\/v1beta\/batches$/, (r) => this.list(r));
    return this;
  }

  job(name: string): FakeBatchJob {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no fake batch job ${name}`);
    return job;
  }

  /** Settles a job as succeeded now, answering every item (a file job into its output file). */
  finish(name: string): void {
    const job = this.job(name);
    job.state = "SUCCEEDED";
    job.answers = job.requests.map((r, i) => this.answer(r, i));
    if (job.inputFile !== undefined) {
      const lines = job.answers.map((a, i) => JSON.stringify({ key: job.requests[i]?.key, ...a }));
      const output = this.addFile(
        { displayName: `${job.name} responses`, mimeType: "application/jsonl" },
        Buffer.from(`${this.outputLines(lines, job).join("\n")}\n`),
      );
      job.outputFile = output.name;
    }
  }

  /** The lines of a file (the JSONL a job was created from, or its output). */
  fileLines(name: string): string[] {
    const file = this.files.get(name);
    if (!file) throw new Error(`no fake file ${name}`);
    return file.content
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
  }

  fail(name: string): void {
    this.job(name).state = "FAILED";
  }

  expire(name: string): void {
    this.job(name).state = "EXPIRED";
  }

  private create(r: RecordedRequest): ScriptedResponse {
    if (r.method !== "POST") return notFound(r.path);
    const model = /\/models\/([^/:]+):/.exec(r.path)?.[1] ?? "";
    const batch = (r.body as { batch?: { displayName?: string; inputConfig?: { fileName?: string; requests?: { requests?: WireBatchRequest[] } } } })?.batch;
    const fileName = batch?.inputConfig?.fileName;
    let requests = batch?.inputConfig?.requests?.requests;
    if (fileName !== undefined) {
      const read = this.fileRequests(fileName);
      if ("error" in read) return invalid(read.error);
      requests = read.requests;
    } else if (bodyOf(r).length > this.inlineLimitBytes) {
      return invalid(`Request payload size exceeds the limit: ${this.inlineLimitBytes} bytes.`);
    }
    if (!Array.isArray(requests) || requests.length === 0) return invalid("batch.inputConfig.requests is required");
    const name = `batches/fake-${this.nextId++}`;
    const job: FakeBatchJob = {
      name,
      model: `models/${model}`,
      displayName: batch?.displayName ?? "",
      state: "PENDING",
      requests,
      polls: 0,
      createTime: new Date().toISOString(),
      ...(fileName !== undefined ? { inputFile: fileName } : {}),
    };
    this.jobs.set(name, job);
    return { json: this.wire(job), ...(this.createDelayMs > 0 ? { delayMs: this.createDelayMs } : {}) };
  }

  /** An input file's lines as requests; every line must be `{"key", "request"}`. */
  private fileRequests(fileName: string): { requests: WireBatchRequest[] } | { error: string } {
    if (!this.files.has(fileName)) return { error: `File ${fileName} not found.` };
    const requests: WireBatchRequest[] = [];
    for (const [i, line] of this.fileLines(fileName).entries()) {
      let parsed: { key?: unknown; request?: unknown };
      try {
        parsed = JSON.parse(line) as { key?: unknown; request?: unknown };
      } catch {
        return { error: `Line ${i + 1} of ${fileName} is not JSON.` };
      }
      if (typeof parsed.key !== "string" || typeof parsed.request !== "object" || parsed.request === null) {
        return { error: `Line ${i + 1} of ${fileName} needs a key and a request.` };
      }
      requests.push({ key: parsed.key, request: parsed.request });
    }
    return { requests };
  }

  /** Resumable upload: the start (no upload_id) opens a session; chunks append; finalize makes the file. */
  private upload(r: RecordedRequest, server: FakeGeminiServer): ScriptedResponse {
    if (r.method !== "POST") return notFound(r.path);
    const command = String(r.headers["x-goog-upload-command"] ?? "");
    const id = r.query.upload_id;
    if (id === undefined) {
      if (r.headers["x-goog-upload-protocol"] !== "resumable" || command !== "start") return invalid("Only resumable uploads are supported.");
      const file = (r.body as { file?: UploadSession["file"] & { sizeBytes?: string } } | undefined)?.file ?? {};
      if (file.name !== undefined) {
        const fileId = file.name.replace(/^files\//, "");
        if (!FILE_ID.test(fileId)) return invalid(`Invalid file name ${file.name}.`);
        if (this.files.has(`files/${fileId}`)) {
          return { status: 409, json: { error: { code: 409, message: `File files/${fileId} already exists.`, status: "ALREADY_EXISTS" } } };
        }
      }
      const session = `up-${this.nextFileId++}`;
      const declaredBytes = Number(r.headers["x-goog-upload-header-content-length"] ?? file.sizeBytes ?? NaN);
      this.uploads.set(session, { file, declaredBytes, parts: [], received: 0 });
      const url = `${server.baseUrl}/upload/v1beta/files?upload_id=${session}&upload_protocol=resumable`;
      return { body: "", headers: { "x-goog-upload-url": url, "x-goog-upload-status": "active" } };
    }
    const up = this.uploads.get(id);
    if (!up || !command.includes("upload")) return invalid("Unknown upload session or command.");
    if (Number(r.headers["x-goog-upload-offset"]) !== up.received) return invalid(`Upload offset must be ${up.received}.`);
    const bytes = bodyOf(r);
    up.parts.push(bytes);
    up.received += bytes.length;
    if (!command.includes("finalize")) return { body: "", headers: { "x-goog-upload-status": "active" } };
    this.uploads.delete(id);
    const content = Buffer.concat(up.parts);
    if (Number.isFinite(up.declaredBytes) && content.length !== up.declaredBytes) return invalid("Uploaded size differs from the declared size.");
    const name = up.file.name === undefined ? undefined : `files/${up.file.name.replace(/^files\//, "")}`;
    if (name !== undefined && this.files.has(name)) {
      return { status: 409, json: { error: { code: 409, message: `File ${name} already exists.`, status: "ALREADY_EXISTS" } } };
    }
    const file = this.addFile({ ...up.file, ...(name !== undefined ? { name } : {}) }, content);
    return { json: { file: this.wireFile(file) }, headers: { "x-goog-upload-status": "final" } };
  }

  private addFile(meta: { name?: string; displayName?: string; mimeType?: string }, content: Buffer): FakeFile {
    const file: FakeFile = {
      name: meta.name ?? `files/fake-file-${this.nextFileId++}`,
      displayName: meta.displayName ?? "",
      mimeType: meta.mimeType ?? "application/octet-stream",
      content,
      createTime: new Date().toISOString(),
    };
    this.files.set(file.name, file);
    return file;
  }

  private fileRoute(r: RecordedRequest): ScriptedResponse {
    const name = r.path.replace(/^\/v1beta\//, "");
    const file = this.files.get(name);
    if (!file) return notFound(r.path);
    if (r.method === "GET") return { json: this.wireFile(file) };
    if (r.method !== "DELETE") return notFound(r.path);
    this.files.delete(name);
    this.deletedFiles.push(name);
    return { json: {} };
  }

  private download(r: RecordedRequest): ScriptedResponse {
    const name = r.path.replace(/^\/(download\/)?v1beta\//, "").replace(/:download$/, "");
    const file = this.files.get(name);
    if (r.method !== "GET" || r.query.alt !== "media" || !file) return notFound(r.path);
    return { body: file.content, headers: { "content-type": file.mimeType } };
  }

  private wireFile(file: FakeFile): Record<string, unknown> {
    return {
      name: file.name,
      displayName: file.displayName,
      mimeType: file.mimeType,
      sizeBytes: String(file.content.length),
      createTime: file.createTime,
      updateTime: file.createTime,
      expirationTime: new Date(Date.parse(file.createTime) + 48 * 3_600_000).toISOString(),
      sha256Hash: createHash("sha256").update(file.content).digest("base64"),
      uri: `https://generativelanguage.googleapis.com/v1beta/${file.name}`,
      state: "ACTIVE",
      source: "UPLOADED",
    };
  }

  private get(r: RecordedRequest): ScriptedResponse {
    const job = this.jobs.get(r.path.replace(/^\/v1beta\//, ""));
    if (r.method !== "GET" || !job) return notFound(r.path);
    job.polls += 1;
    if (!TERMINAL.has(job.state)) {
      if (job.polls >= this.pollsToFinish) this.finish(job.name);
      else job.state = "RUNNING";
    }
    return { json: this.wire(job) };
  }

  private cancel(r: RecordedRequest): ScriptedResponse {
    const job = this.jobs.get(r.path.replace(/^\/v1beta\//, "").replace(/:cancel$/, ""));
    if (r.method !== "POST" || !job) return notFound(r.path);
    if (!TERMINAL.has(job.state)) job.state = "CANCELLED";
    return { json: {} };
  }

  /** Newest first, like the real listing; `pageToken` is the index of the next job. */
  private list(r: RecordedRequest): ScriptedResponse {
    if (r.method !== "GET") return notFound(r.path);
    const all = [...this.jobs.values()].reverse();
    const size = Number(r.query.pageSize ?? this.defaultPageSize) || this.defaultPageSize;
    const start = Number(r.query.pageToken ?? 0) || 0;
    const page = all.slice(start, start + size);
    const next = start + size < all.length ? { nextPageToken: String(start + size) } : {};
    return { json: { operations: page.map((j) => this.wire(j)), ...next } };
  }

  private wire(job: FakeBatchJob): Record<string, unknown> {
    const answers = job.answers ?? [];
    const failed = answers.filter((a) => "error" in a).length;
    const metadata: Record<string, unknown> = {
      "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
      model: job.model,
      displayName: job.displayName,
      state: `BATCH_STATE_${job.state}`,
      createTime: job.createTime,
      updateTime: new Date().toISOString(),
      batchStats: {
        requestCount: String(job.requests.length),
        successfulRequestCount: String(answers.length - failed),
        failedRequestCount: String(failed),
        pendingRequestCount: String(job.requests.length - answers.length),
      },
    };
    if (job.state === "SUCCEEDED") {
      if (job.outputFile !== undefined) {
        metadata.output = { responsesFile: job.outputFile };
      } else {
        const inlinedResponses = answers.map((a, i) => ({ ...a, metadata: job.requests[i]?.metadata ?? {} }));
        metadata.output = { inlinedResponses: { inlinedResponses } };
      }
      metadata.endTime = new Date().toISOString();
    }
    return { name: job.name, metadata, done: TERMINAL.has(job.state) };
  }
}

function bodyOf(r: RecordedRequest): Buffer {
  return r.rawBytes ?? Buffer.from(r.rawBody, "utf8");
}

function invalid(message: string): ScriptedResponse {
  return { status: 400, json: { error: { code: 400, message, status: "INVALID_ARGUMENT" } } };
}

function notFound(path: string): ScriptedResponse {
  return { status: 404, json: { error: { code: 404, message: `no batch at ${path}`, status: "NOT_FOUND" } } };
}

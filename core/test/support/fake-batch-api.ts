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
 * Progress: a job is PENDING when created, RUNNING after its first poll, and SUCCEEDED on the
 * poll numbered `pollsToFinish` (default 2), unless a test settles it with `finish`, `fail` or
 * `expire`. Each item is answered by `answer(request, index)` (default: a text echo of the
 * prompt), which may return a google.rpc.Status error for that item instead. `installRealtime`
 * answers realtime `:generateContent` calls with the same function (an error as its HTTP status),
 * and `createDelayMs` holds create responses (the window between the provider's create and the
 * client learning the job's name).
 */
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
}

export interface FakeBatchApiOptions {
  pollsToFinish?: number;
  answer?: (request: WireBatchRequest, index: number) => ItemAnswer;
  /** Page size when the client asks for none (the real API's default is small too). */
  defaultPageSize?: number;
  /** Holds each create's response this long (the job exists from the moment the request arrives). */
  createDelayMs?: number;
}

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
  private nextId = 1;
  private readonly pollsToFinish: number;
  private readonly answer: (request: WireBatchRequest, index: number) => ItemAnswer;
  private readonly defaultPageSize: number;
  /** Holds each create's response this long (see the options; a test may change it between creates). */
  createDelayMs: number;
  /** Realtime `:generateContent` calls answered by `installRealtime`. */
  realtimeCalls = 0;

  constructor(opts: FakeBatchApiOptions = {}) {
    this.pollsToFinish = opts.pollsToFinish ?? 2;
    this.answer = opts.answer ?? echoAnswer;
    this.defaultPageSize = opts.defaultPageSize ?? 2;
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

  /** Settles a job as succeeded now, answering every item. */
  finish(name: string): void {
    const job = this.job(name);
    job.state = "SUCCEEDED";
    job.answers = job.requests.map((r, i) => this.answer(r, i));
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
    const batch = (r.body as { batch?: { displayName?: string; inputConfig?: { requests?: { requests?: WireBatchRequest[] } } } })?.batch;
    const requests = batch?.inputConfig?.requests?.requests;
    if (!Array.isArray(requests) || requests.length === 0) {
      return { status: 400, json: { error: { code: 400, message: "batch.inputConfig.requests is required", status: "INVALID_ARGUMENT" } } };
    }
    const name = `batches/fake-${this.nextId++}`;
    const job: FakeBatchJob = {
      name,
      model: `models/${model}`,
      displayName: batch?.displayName ?? "",
      state: "PENDING",
      requests,
      polls: 0,
      createTime: new Date().toISOString(),
    };
    this.jobs.set(name, job);
    return { json: this.wire(job), ...(this.createDelayMs > 0 ? { delayMs: this.createDelayMs } : {}) };
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
      const inlinedResponses = answers.map((a, i) => ({ ...a, metadata: job.requests[i]?.metadata ?? {} }));
      metadata.output = { inlinedResponses: { inlinedResponses } };
      metadata.endTime = new Date().toISOString();
    }
    return { name: job.name, metadata, done: TERMINAL.has(job.state) };
  }
}

function notFound(path: string): ScriptedResponse {
  return { status: 404, json: { error: { code: 404, message: `no batch at ${path}`, status: "NOT_FOUND" } } };
}

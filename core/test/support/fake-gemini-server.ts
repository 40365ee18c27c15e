/**
 * A fake Gemini HTTP server for tests: node:http on 127.0.0.1 with a random port. The real
 * `@google/genai` SDK is pointed at it (httpOptions.baseUrl or GOOGLE_GEMINI_BASE_URL).
 *
 * Requests are recorded (method, path, query, headers, parsed JSON body). Responses are scripted
 * per path pattern: `script(":generateContent", r1, r2)` answers the next matching requests with
 * r1 then r2, and repeats the last one. Unscripted paths get a Google-style 404 error body.
 * Paths the SDK uses (Gemini API, v1beta):
 *   POST /v1beta/models/{model}:generateContent
 *   POST /v1beta/models/{model}:predictLongRunning      (Veo)   → operation {name, done}
 *   GET  /v1beta/{operation name}                        (polling)
 * Vertex AI (v1beta1, express mode with an API key):
 *   POST /v1beta1/publishers/google/models/{model}:predict   (Imagen)
 * plus any download path a test puts in a video URI.
 *
 * Optional per-model RPM quota (`quota({rpm})`, counted by sliding-window-quota.ts): like Gemini's
 * per-project, per-model limit, requests to a model beyond `rpm` in any sliding window answer 429
 * RESOURCE_EXHAUSTED with a QuotaFailure and a RetryInfo `retryDelay` (when the oldest counted
 * request leaves the window), before any script is consulted. `windowMs` (default 60 s) scales the quota down in time for
 * quick runs: `{rpm: 120, windowMs: 6_000}` admits 120 requests per 6 s, i.e. the same shape ten
 * times faster (tell a governor 120 × 60 000 / windowMs = 1 200 requests per minute).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { SlidingWindowQuota, type QuotaStats, type RpmQuota } from "./sliding-window-quota";

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body's bytes as received (uploads); set on every request the server records. */
  rawBytes?: Buffer;
  /** Parsed JSON body, or undefined when empty / not JSON. */
  body: unknown;
}

export interface ScriptedResponse {
  status?: number;
  json?: unknown;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Never answer (until the client gives up or the server closes). */
  hang?: boolean;
  /** Destroy the socket without answering (a network error for the client). */
  destroy?: boolean;
  /** Answer only after this many ms (the request is recorded and scripted at once). */
  delayMs?: number;
}

export type Responder = ScriptedResponse | ((req: RecordedRequest, server: FakeGeminiServer) => ScriptedResponse);

interface Script {
  match: string | RegExp;
  queue: Responder[];
}

export type { QuotaStats, RpmQuota } from "./sliding-window-quota";

/** The model id in `/v1beta/models/{model}:method`, or "" for other paths. */
function modelOf(path: string): string {
  return /\/models\/([^/:]+)/.exec(path)?.[1] ?? "";
}

/** Gemini's answer beyond a per-minute quota. */
function quotaExceeded(model: string, limit: number, retryMs: number): ScriptedResponse {
  // Tenths of a second: a scaled-down window asks for sub-second delays, which Duration JSON allows.
  const retryDelay = `${Math.max(0.1, Math.ceil(retryMs / 100) / 10)}s`;
  const message = `You exceeded your current quota, please check your plan and billing details. Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_requests, limit: ${limit}, model: ${model}. Please retry in ${retryDelay}.`;
  const details = [
    {
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [
        {
          quotaMetric: "generativelanguage.googleapis.com/generate_content_requests",
          quotaId: "GenerateRequestsPerMinutePerProjectPerModel",
          quotaDimensions: { location: "global", model },
          quotaValue: String(limit),
        },
      ],
    },
    { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
  ];
  return { status: 429, json: { error: { code: 429, message, status: "RESOURCE_EXHAUSTED", details } } };
}

export class FakeGeminiServer {
  readonly requests: RecordedRequest[] = [];
  private scripts: Script[] = [];
  private quotaState: SlidingWindowQuota | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeGeminiServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeGeminiServer(server, `http://127.0.0.1:${port}`);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      void fake.handle(req, res);
    });
    server.on("connection", (socket: Socket) => {
      fake.sockets.add(socket);
      socket.on("close", () => fake.sockets.delete(socket));
    });
    return fake;
  }

  /** Answers matching requests with `responses` in order; the last one repeats. */
  script(match: string | RegExp, ...responses: Responder[]): this {
    if (responses.length === 0) throw new Error("script needs at least one response");
    this.scripts.push({ match, queue: [...responses] });
    return this;
  }

  /** Enforces a per-model RPM quota from now on (see the module header); replaces an earlier one. */
  quota(q: RpmQuota): this {
    this.quotaState = new SlidingWindowQuota(q);
    return this;
  }

  /** What the quota admitted and refused so far (zeros without a quota). */
  quotaStats(): QuotaStats {
    return { ...(this.quotaState?.stats ?? { admitted: 0, rejected: 0, maxSentPerWindow: 0 }) };
  }

  /** Every request the quota counted, in order: when (epoch ms) and whether it was admitted. */
  quotaLog(): ReadonlyArray<{ at: number; ok: boolean }> {
    return this.quotaState?.log ?? [];
  }

  requestsTo(match: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => matches(match, r.path));
  }

  reset(): void {
    this.scripts = [];
    this.quotaState = null;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await record(req);
    this.requests.push(recorded);
    const quota = this.quotaState;
    if (quota && matches(quota.o.match ?? ":generateContent", recorded.path)) {
      const model = modelOf(recorded.path);
      const retryMs = quota.take(model, Date.now());
      if (retryMs !== null) return send(res, quotaExceeded(model, quota.o.rpm, retryMs));
      if (quota.o.latencyMs) await new Promise((r) => setTimeout(r, quota.o.latencyMs));
    }
    const script = this.scripts.find((s) => matches(s.match, recorded.path));
    if (!script) {
      send(res, { status: 404, json: { error: { code: 404, message: `no script for ${recorded.path}`, status: "NOT_FOUND" } } });
      return;
    }
    const next = script.queue.length > 1 ? script.queue.shift() : script.queue[0];
    const response = typeof next === "function" ? next(recorded, this) : (next ?? {});
    if (response.hang) return;
    if (response.delayMs) await new Promise((r) => setTimeout(r, response.delayMs).unref());
    if (res.destroyed) return;
    if (response.destroy) {
      req.socket.destroy();
      return;
    }
    send(res, response);
  }
}

function matches(match: string | RegExp, path: string): boolean {
  return typeof match === "string" ? path.includes(match) : match.test(path);
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBytes = Buffer.concat(chunks);
  const rawBody = rawBytes.toString("utf8");
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  let body: unknown;
  try {
    body = rawBody ? JSON.parse(rawBody) : undefined;
  } catch {
    body = undefined;
  }
  return {
    method: req.method ?? "GET",
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    rawBody,
    rawBytes,
    body,
  };
}

function send(res: ServerResponse, r: ScriptedResponse): void {
  const headers: Record<string, string> = { ...r.headers };
  let payload: string | Uint8Array = "";
  if (r.json !== undefined) {
    payload = JSON.stringify(r.json);
    headers["content-type"] ??= "application/json; charset=UTF-8";
  } else if (r.body !== undefined) {
    payload = r.body;
  }
  res.writeHead(r.status ?? 200, headers);
  res.end(payload);
}

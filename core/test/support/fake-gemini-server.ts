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
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
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
}

export type Responder = ScriptedResponse | ((req: RecordedRequest, server: FakeGeminiServer) => ScriptedResponse);

interface Script {
  match: string | RegExp;
  queue: Responder[];
}

export class FakeGeminiServer {
  readonly requests: RecordedRequest[] = [];
  private scripts: Script[] = [];
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

  requestsTo(match: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => matches(match, r.path));
  }

  reset(): void {
    this.scripts = [];
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await record(req);
    this.requests.push(recorded);
    const script = this.scripts.find((s) => matches(s.match, recorded.path));
    if (!script) {
      send(res, { status: 404, json: { error: { code: 404, message: `no script for ${recorded.path}`, status: "NOT_FOUND" } } });
      return;
    }
    const next = script.queue.length > 1 ? script.queue.shift() : script.queue[0];
    const response = typeof next === "function" ? next(recorded, this) : (next ?? {});
    if (response.hang) return;
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
  const rawBody = Buffer.concat(chunks).toString("utf8");
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

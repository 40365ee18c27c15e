/**
 * The local HTTP API on node:http (no framework: a dozen routes, a body limit and SSE are all we
 * need). Binds 127.0.0.1 by default. Routes are listed in the README ("HTTP API").
 */
import { PermanentError, silentLogger, type Logger } from "@flowcraft/core";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalHost } from "../local-host";
import { loadExamples } from "./examples";
import { aiRoutes } from "./routes-ai";
import { batchRoutes, type BodyLimits } from "./routes-batches";
import { flowRoutes } from "./routes-flows";
import { settingsRoutes } from "./routes-settings";
import { eventRoutes } from "./routes-events";
import { sendError, sendJson } from "./respond";
import { OriginPolicy } from "./request-guard";
import { Router } from "./router";
import { DEFAULT_SSE_LIMITS, type SseLimits } from "./sse-stream";
import { serveStatic } from "./static-files";
import { DEFAULT_STALL_MS, writeAll } from "./stream-out";
import { errorFields } from "../log-error";

export interface ApiServerOptions {
  host: LocalHost;
  provider: "offline" | "gemini";
  webDir: string;
  examplesDir: string;
  logger?: Logger;
  bodyLimits?: Partial<BodyLimits>;
  heartbeatMs?: number;
  /** Per-client bounds of the event streams (see sse-stream.ts). */
  sse?: Partial<SseLimits>;
  /** A media or static download that accepts no bytes for this long is disconnected. */
  stallMs?: number;
  /** Origins besides the server's own whose pages may call the API (normalized; see request-guard.ts). */
  allowedOrigins?: readonly string[];
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { uploadBytes: 50 * 1024 * 1024, jsonBytes: 1024 * 1024, csvBytes: 512 * 1024 * 1024 };

export function createApiServer(opts: ApiServerOptions): http.Server {
  const logger = opts.logger ?? silentLogger;
  const limits = { ...DEFAULT_BODY_LIMITS, ...opts.bodyLimits };
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const origins = new OriginPolicy(opts.allowedOrigins);
  const router = new Router()
    .on("GET", "/api/config", async ({ res }) => sendJson(res, 200, { provider: opts.provider, limits: opts.host.limits }))
    .on("GET", "/api/examples", async ({ res }) => sendJson(res, 200, { examples: await loadExamples(opts.examplesDir) }))
    .on("GET", "/api/media/*", async ({ res, params }) => {
      // The router has decoded the reference (a malformed encoding is a 400 there).
      const ref = params["*"] ?? "";
      // Streamed from disk: a video is not held in memory for as long as a slow client takes.
      const blob = await opts.host.blobs.openRead(ref);
      if (!blob) throw new PermanentError("not_found", "No media with this reference");
      res.writeHead(200, { "content-type": blob.mimeType, "content-length": blob.bytes, "cache-control": "private, max-age=3600" });
      await writeAll(res, blob.stream, stallMs);
    });
  batchRoutes(router, opts.host, limits, stallMs);
  eventRoutes(router, opts.host, { ...DEFAULT_SSE_LIMITS, ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}), ...opts.sse });
  aiRoutes(router, opts.host, limits.jsonBytes);
  flowRoutes(router, limits.jsonBytes);
  settingsRoutes(router, opts.host, limits.jsonBytes);

  return http.createServer((req, res) => {
    // A client that vanished mid-response (EPIPE, ECONNRESET, a write racing the end) fails only
    // its own response: an 'error' event without a listener would exit the process.
    res.on("error", (err) => logger.debug({ path: req.url, ...errorFields(err) }, "response failed"));
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const refused = origins.refusal(req);
    if (refused) return sendJson(res, 403, { error: { code: "permission_denied", message: refused, retryable: false } });
    origins.applyCors(req, res);
    if (method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      res.writeHead(204); // a CORS preflight: the headers above are the answer
      res.end();
      return;
    }
    if (!url.pathname.startsWith("/api/") && url.pathname !== "/api") {
      if (method === "GET" || method === "HEAD") {
        serveStatic(opts.webDir, req, res, url.pathname, stallMs).catch(() => res.destroy());
        return;
      }
      return sendJson(res, 405, { error: { code: "invalid_input", message: `Method ${method} not allowed here`, retryable: false } });
    }
    const match = router.match(method, url.pathname);
    if (match === null) return sendError(res, new PermanentError("not_found", "No such API route"), logger);
    if (match === "method") {
      return sendJson(res, 405, { error: { code: "invalid_input", message: `Method ${method} not allowed here`, retryable: false } });
    }
    match.handler({ req, res, params: match.params, url }).catch((err: unknown) => {
      sendError(res, err, logger);
      // Stop reading an oversized upload instead of buffering it.
      if (!req.complete) req.resume();
    });
  });
}

/** Listens on `host:port` (port 0 = any free port) and resolves the bound port. */
export async function listen(server: http.Server, port: number, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

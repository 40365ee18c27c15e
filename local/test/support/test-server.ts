/** Starts a local host and its HTTP API on a loopback port for tests, with a temp data dir. */
import { OfflineAiService, type AiService, type BatchLimits, type LimitsTable } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type http from "node:http";
import { createLocalHost, type LocalHost, type LocalHostOptions } from "../../src/local-host";
import { createApiServer, listen } from "../../src/http/server";
import type { SseLimits } from "../../src/http/sse-stream";
import { request, type Reply } from "./http-client";

export interface TestServer {
  port: number;
  server: http.Server;
  host: LocalHost;
  dataDir: string;
  close(): Promise<void>;
}

export const REPO = path.resolve(__dirname, "../../..");

export interface TestServerOptions {
  ai?: AiService;
  webDir?: string;
  uploadBytes?: number;
  jsonBytes?: number;
  csvBytes?: number;
  limits?: Partial<BatchLimits>;
  sse?: Partial<SseLimits>;
  stallMs?: number;
  allowedOrigins?: string[];
  /** The governor's base limits and start-up overrides (as `serve` gives them from its flags). */
  modelLimits?: { defaults?: LimitsTable; overrides?: LimitsTable };
  /** Use this data directory (kept on close) instead of a fresh temporary one. */
  dataDir?: string;
  /** The local host's economy settings (`false`: economy batches run realtime). */
  economy?: LocalHostOptions["economy"];
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "fc-http-"));
  const ai = opts.ai ?? new OfflineAiService({ latencyMs: 0 });
  const host = createLocalHost({
    dataDir,
    ai,
    reconcileIntervalMs: 60_000,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.modelLimits ? { modelLimits: opts.modelLimits } : {}),
    ...(opts.economy !== undefined ? { economy: opts.economy } : {}),
  });
  const server: http.Server = createApiServer({
    host,
    provider: "offline",
    webDir: opts.webDir ?? path.join(dataDir, "no-web-build"),
    examplesDir: path.join(REPO, "examples"),
    bodyLimits: { uploadBytes: opts.uploadBytes ?? 256 * 1024, jsonBytes: opts.jsonBytes ?? 16 * 1024, csvBytes: opts.csvBytes ?? 4 * 1024 * 1024 },
    heartbeatMs: 50,
    ...(opts.sse ? { sse: opts.sse } : {}),
    ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}),
    ...(opts.allowedOrigins ? { allowedOrigins: opts.allowedOrigins } : {}),
  });
  const port = await listen(server, 0);
  return {
    port,
    server,
    host,
    dataDir,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await host.close();
      if (opts.dataDir === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The file's test server: started before its tests, closed after them, with a request helper. */
export interface SharedTestServer {
  readonly port: number;
  api(method: string, path: string, body?: unknown): Promise<Reply>;
}

export function useTestServer(opts: TestServerOptions = {}): SharedTestServer {
  let srv: TestServer | null = null;
  beforeAll(async () => {
    srv = await startTestServer(opts);
  });
  afterAll(async () => {
    await srv?.close();
  });
  const port = (): number => {
    if (!srv) throw new Error("the test server is not started yet (use it inside a test)");
    return srv.port;
  };
  return {
    get port() {
      return port();
    },
    api: (method, path, body) => request(port(), method, path, body),
  };
}

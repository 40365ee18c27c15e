/**
 * Serves the built web app (web/dist) for every non-/api GET: the file when it exists, otherwise
 * index.html (client-side routes). Without a build it serves a short page saying how to make one.
 */
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { writeAll } from "./stream-out";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

const NO_BUILD = `<!doctype html><meta charset="utf-8"><title>FlowCraft Batch</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>FlowCraft Batch</h1><p>The API is running, but the web app has not been built.</p>
<p>Run <code>npm run build -w web</code> (or <code>npm start</code>, which builds it), then reload.</p>
<p>API: <a href="/api/config">/api/config</a></p></body>`;

function resolveFile(webDir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const file = path.resolve(webDir, "." + path.posix.normalize(decoded));
  if (!file.startsWith(webDir + path.sep)) return null;
  try {
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

export async function serveStatic(webDir: string, req: IncomingMessage, res: ServerResponse, pathname: string, stallMs: number): Promise<void> {
  const root = path.resolve(webDir);
  const index = path.join(root, "index.html");
  if (!fs.existsSync(index)) {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(NO_BUILD);
    return;
  }
  const file = resolveFile(root, pathname) ?? index;
  const immutable = file !== index && pathname.startsWith("/assets/");
  res.writeHead(200, {
    "content-type": TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  // Not pipe(): it leaves the file open when the client goes away, and never gives up on a stalled one.
  await writeAll(res, fs.createReadStream(file), stallMs);
}

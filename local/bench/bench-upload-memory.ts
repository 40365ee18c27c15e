/**
 * Peak memory of a large create through the local HTTP API: streams a generated CSV (default
 * 100,000 rows × 5 columns of 200 bytes, about 100 MB) to POST /api/uploads in 64 KiB writes,
 * creates the batch from the upload id (not started), and prints the process's peak RSS and the
 * times. Client and server share the process; the client holds one write at a time. Usage:
 *   npm run bench:upload-memory -- [--rows 100000] [--columns 5] [--cell-bytes 200]
 */
import { OfflineAiService } from "@flowcraft/core";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createLocalHost } from "../src/local-host";
import { createApiServer, listen } from "../src/http/server";
import { TEXT_FLOW } from "../test/support/flows";
import { numberFlag } from "./bench-flags";

const arg = (argv: string[], name: string, dflt: number): number => numberFlag(argv, name, dflt, "positive-integer");

function post(port: number, p: string, type: string, write: (req: http.ClientRequest) => Promise<void>): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: p, headers: { "content-type": type } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown }));
    });
    req.on("error", reject);
    write(req).then(() => req.end(), reject);
  });
}

/** Writes the CSV in 64 KiB pieces, waiting for drain: the client never holds the file. */
async function writeCsv(req: http.ClientRequest, rows: number, columns: number, cellBytes: number): Promise<void> {
  const names = Array.from({ length: columns }, (_, c) => (c === 0 ? "topic" : `c${c}`));
  let buf = `${names.join(",")}\n`;
  const pad = "x".repeat(cellBytes - 8);
  for (let r = 0; r < rows; r++) {
    buf += `${names.map((_, c) => `${String(r).padStart(7, "0")}${c}${pad}`).join(",")}\n`;
    if (buf.length >= 1 << 16) {
      if (!req.write(buf)) await new Promise((ok) => req.once("drain", ok));
      buf = "";
    }
  }
  req.write(buf);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rows = arg(argv, "rows", 100_000);
  const columns = arg(argv, "columns", 5);
  const cellBytes = arg(argv, "cell-bytes", 200);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-upload-memory-"));
  const host = createLocalHost({ dataDir, ai: new OfflineAiService({ latencyMs: 0 }), reconcileIntervalMs: 60_000 });
  const server = createApiServer({ host, provider: "offline", webDir: path.join(dataDir, "none"), examplesDir: path.join(dataDir, "none") });
  try {
    const port = await listen(server, 0);
    const rssBefore = process.resourceUsage().maxRSS / 1024;
    const t0 = performance.now();
    const up = await post(port, "/api/uploads", "text/csv", (req) => writeCsv(req, rows, columns, cellBytes));
    const t1 = performance.now();
    if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${JSON.stringify(up.json)}`);
    const id = (up.json as { upload: { id: string } }).upload.id;
    const created = await post(port, "/api/batches", "application/json", async (req) => void req.write(JSON.stringify({ flow: TEXT_FLOW, upload: id })));
    const t2 = performance.now();
    if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.json)}`);
    const mb = (rows * columns * (cellBytes + 1)) / 1e6;
    console.log(
      `${rows} rows × ${columns} columns × ${cellBytes} B (${mb.toFixed(0)} MB CSV): upload ${((t1 - t0) / 1000).toFixed(1)} s, create ${((t2 - t1) / 1000).toFixed(1)} s`,
    );
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (${rssBefore.toFixed(0)} MiB before the upload)`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await host.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

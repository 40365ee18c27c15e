/**
 * ZIP export memory benchmark. For each size (20 and 200 rows by default) one run finishes an
 * image batch on the local host (offline provider), replaces every stored image with MIB MiB of
 * bytes (so the archive is large), then downloads GET /api/batches/:id/export.zip on 127.0.0.1,
 * counting the bytes without keeping them, and samples the process's RSS every 10 ms. It prints,
 * side by side, the archive size and the peak RSS above the level before the download, and the
 * ratios largest/smallest of both: a streamed ZIP's memory stays about flat (ratio near 1) while
 * the archive grows with the rows. Usage:
 *   npm run bench:export-zip -- [--sizes 20,200] [--mib 1]
 */
import { LOCAL_OWNER, createLocalHost } from "../src/local-host";
import { createApiServer, listen } from "../src/http/server";
import { IMAGE_FLOW } from "../test/support/flows";
import { OfflineAiService } from "@flowcraft/core";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { countsFlag, numberFlag } from "./bench-flags";
import { waitForEnd } from "./bench-support";

/** Every data file under `dir`. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function download(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: urlPath }, (res) => {
        let bytes = 0;
        res.on("data", (b: Buffer) => (bytes += b.length));
        res.on("end", () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`zip: HTTP ${res.statusCode}`))));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

async function measure(rows: number, mib: number): Promise<{ rows: number; zipBytes: number; peakMiB: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-bench-zip-"));
  const host = createLocalHost({ dataDir, ai: new OfflineAiService({ latencyMs: 0 }), reconcileIntervalMs: 60_000 });
  const server = createApiServer({ host, provider: "offline", webDir: path.join(dataDir, "no-web"), examplesDir: path.join(dataDir, "no-examples") });
  try {
    const topics = Array.from({ length: rows }, (_, i) => ({ topic: `picture ${i}` }));
    const created = await host.handlers.createJob({ ...LOCAL_OWNER, flow: IMAGE_FLOW, columns: ["topic"], rows: topics, concurrency: 20, start: true });
    const job = await waitForEnd(host, created.id);
    if (job.completedRows !== rows) throw new Error(`job: ${job.completedRows}/${rows} rows succeeded`);
    const block = Buffer.alloc(mib * 1024 * 1024, 7);
    for (const file of filesUnder(path.join(dataDir, "media", "data"))) fs.writeFileSync(file, block);
    const port = await listen(server, 0);
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const zipBytes = await download(port, `/api/batches/${created.id}/export.zip`);
    clearInterval(sampler);
    return { rows, zipBytes, peakMiB: (Math.max(peak, process.memoryUsage().rss) - base) / 1024 / 1024 };
  } finally {
    server.close();
    await host.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const sizes = countsFlag(argv, "sizes", [20, 200]);
  const mib = numberFlag(argv, "mib", 1, "positive");
  const results = [];
  for (const rows of sizes) {
    const r = await measure(rows, mib);
    results.push(r);
    console.log(
      `${r.rows} rows × ${mib} MiB: archive ${(r.zipBytes / 1024 / 1024).toFixed(1)} MiB, peak RSS above the start of the download ${r.peakMiB.toFixed(1)} MiB`,
    );
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  console.log(
    `archive ratio ${(last.zipBytes / first.zipBytes).toFixed(2)}, peak memory ratio ${(Math.max(last.peakMiB, 1) / Math.max(first.peakMiB, 1)).toFixed(2)} (peaks under 1 MiB count as 1)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

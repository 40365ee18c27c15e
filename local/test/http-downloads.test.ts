/**
 * Downloads (media, exports, static files) over real sockets on 127.0.0.1 whose clients stop
 * reading or leave: the server writes only as fast as the socket drains (a bounded `writableLength`,
 * not the whole body), disconnects a client that takes nothing for `stallMs`, closes the file when
 * the client goes away, and keeps serving.
 */
import { isTerminal, type JobStatus } from "@flowcraft/core";
import fs from "node:fs";
import type { ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { waitFor } from "@flowcraft/core/testing";
import { BigTextAi } from "./support/big-text-ai";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { request } from "./support/http-client";
import { pausedGet } from "./support/raw-client";
import { startTestServer, type TestServer } from "./support/test-server";

const BIG = 16 * 1024 * 1024; // far more than the kernel's socket buffers hold
/** About one chunk past the socket's high-water mark. */
const BOUND = 1024 * 1024;

let srv: TestServer;
let webDir: string;
const responses: ServerResponse[] = [];
beforeEach(async () => {
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-web-"));
  fs.mkdirSync(path.join(webDir, "assets"));
  fs.writeFileSync(path.join(webDir, "index.html"), "<!doctype html><title>app</title>");
  fs.writeFileSync(path.join(webDir, "assets/big.bin"), Buffer.alloc(BIG, 7));
  srv = await startTestServer({ webDir, ai: new BigTextAi(60_000), stallMs: 300 });
  responses.length = 0;
  srv.server.on("request", (_req, res: ServerResponse) => void responses.push(res));
});
afterEach(async () => {
  await srv.close();
  fs.rmSync(webDir, { recursive: true, force: true });
});

/** Open descriptors of this process on `file` (Linux). */
function openDescriptors(file: string): number {
  let n = 0;
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}

async function expectStillServing(): Promise<void> {
  expect((await request(srv.port, "GET", "/api/config")).status).toBe(200);
}

describe("downloads whose client stops reading", () => {
  it("media: holds about one chunk, not the whole blob, and drops a client that takes nothing", async () => {
    await srv.host.blobs.put("test/big.bin", new Uint8Array(BIG), "video/mp4");
    const client = pausedGet(srv.port, "/api/media/local:test/big.bin");
    await waitFor(() => responses.length === 1 && responses[0]!.headersSent, "the response to start");
    const res = responses[0]!;
    // The server has written all it will until the client reads (or all of it, in one go).
    await waitFor(() => res.writableNeedDrain || res.writableEnded, "the socket buffer to fill");
    expect(res.writableLength).toBeLessThanOrEqual(BOUND);
    await waitFor(() => res.destroyed, "the stalled client to be dropped", 30_000);
    client.socket.destroy();
    await expectStillServing();
  });

  it("export: drops a client that takes nothing instead of waiting for it forever", async () => {
    const topics = Array.from({ length: 200 }, (_, i) => `item ${i}`); // about 12 MB of CSV
    const created = await request(srv.port, "POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 10, start: true });
    const id = created.json.job.id as string;
    const status = async (): Promise<JobStatus> => (await request(srv.port, "GET", `/api/batches/${id}`)).json.job.status as JobStatus;
    for (let i = 0; i < 2_000 && !isTerminal(await status()); i++) await new Promise((r) => setTimeout(r, 20));
    responses.length = 0;
    const client = pausedGet(srv.port, `/api/batches/${id}/export.csv`);
    await waitFor(() => responses.length === 1 && responses[0]!.headersSent, "the export to start");
    const res = responses[0]!;
    await waitFor(() => res.destroyed, "the stalled export to be dropped", 30_000);
    client.socket.destroy();
    await expectStillServing();
  });

  it("static files: the file is closed when the client leaves mid-download", async () => {
    const file = fs.realpathSync(path.join(webDir, "assets/big.bin"));
    const client = pausedGet(srv.port, "/assets/big.bin");
    await waitFor(() => openDescriptors(file) === 1, "the file to be opened");
    client.socket.destroy();
    await waitFor(() => openDescriptors(file) === 0, "the file to be closed", 30_000);
    await expectStillServing();
  });
});

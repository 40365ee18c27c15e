/**
 * Clients that do not keep up cannot crash or bloat the server: real sockets on 127.0.0.1 that stop
 * reading, or read slowly, while a batch writes large result events. The server-side response
 * buffers stay bounded (asserted on `writableLength` and the stream's queue, never on time), the
 * server keeps answering, and every client still gets every result once, in id order, then `end`.
 */
import { OfflineAiService, isTerminal, type TextRequest, type TextResult } from "@flowcraft/core";
import type { ServerResponse } from "node:http";
import net from "node:net";
import { waitFor } from "../../core/src/ports/conformance/task-queue-conformance";
import { sseState } from "../src/http/sse-stream";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { request } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

/** Every text output is 40 KB, so each result event is about 80 KB (outputs and node outputs). */
class BigTextAi extends OfflineAiService {
  override async generateText(req: TextRequest): Promise<TextResult> {
    const r = await super.generateText(req);
    return { ...r, text: `${r.text} ${"x".repeat(40_000)}` };
  }
}

const ROWS = 150; // about 12 MB of events: far more than the kernel's socket buffers hold
const MAX_QUEUED = 256 * 1024;
const EVENT_BYTES = 100 * 1024; // an upper bound of one result event here
/** What one client may hold in server memory: the queue, the socket's high-water mark, one event. */
const BOUND = MAX_QUEUED + 64 * 1024 + 2 * EVENT_BYTES;

interface RawSse {
  socket: net.Socket;
  text: () => string;
  closed: Promise<void>;
}

/** A raw HTTP client, paused from the start: it reads nothing until `socket.resume()`. */
function stalledSse(port: number, path: string): RawSse {
  const socket = net.connect({ host: "127.0.0.1", port });
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  socket.pause();
  return { socket, text: () => Buffer.concat(chunks).toString("utf8"), closed };
}

/** Events of a raw SSE response body (chunked framing is skipped: only whole event blocks count). */
function parseEvents(raw: string): { id: number; event: string; data: string }[] {
  const out: { id: number; event: string; data: string }[] = [];
  const re = /id: (\d+)\r?\nevent: (\w+)\r?\ndata: ([^\n]*)\n\n/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) out.push({ id: Number(m[1]), event: m[2]!, data: m[3]! });
  return out;
}

function expectAllResultsThenEnd(raw: string): void {
  const events = parseEvents(raw);
  const results = events.filter((e) => e.event === "result");
  const rows = results.map((e) => (JSON.parse(e.data) as { rowIndex: number }).rowIndex);
  expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  const ids = results.map((e) => e.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(events.slice(-2).map((e) => e.event)).toEqual(["job", "end"]);
  expect(JSON.parse(events[events.length - 2]!.data)).toMatchObject({ status: "completed", completedRows: ROWS });
}

/** Bytes the server holds for this client's response right now. */
function heldBytes(res: ServerResponse): number {
  return res.writableLength + (sseState(res)?.queuedBytes ?? 0);
}

let srv: TestServer;
const responses: ServerResponse[] = [];
beforeEach(async () => {
  srv = await startTestServer({ ai: new BigTextAi({ latencyMs: 0 }), sse: { maxQueuedBytes: MAX_QUEUED, stallMs: 600_000 } });
  responses.length = 0;
  srv.server.on("request", (req, res: ServerResponse) => {
    if (req.url?.endsWith("/events")) responses.push(res);
  });
});
afterEach(() => srv.close());

async function createBatch(): Promise<string> {
  const topics = Array.from({ length: ROWS }, (_, i) => `item ${i}`);
  const created = await request(srv.port, "POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 10 });
  return created.json.job.id as string;
}

async function finished(id: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    const job = (await request(srv.port, "GET", `/api/batches/${id}`)).json.job as { status: "completed" };
    if (isTerminal(job.status)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("batch did not finish");
}

describe("SSE clients that do not keep up", () => {
  it("stalled clients: bounded server buffers, the server keeps serving, and a resumed client gets everything", async () => {
    const id = await createBatch();
    const clients = [0, 1, 2].map(() => stalledSse(srv.port, `/api/batches/${id}/events`));
    await waitFor(() => responses.length === clients.length, "the streams opened");
    await request(srv.port, "POST", `/api/batches/${id}/run`);
    await finished(id);
    // Let the last commits' events and a few heartbeats reach the streams.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 60));

    for (const res of responses) {
      expect(heldBytes(res)).toBeLessThanOrEqual(BOUND);
      expect(res.socket?.writableLength ?? 0).toBeLessThanOrEqual(BOUND);
      expect(sseState(res)?.behind).toBe(true);
    }
    const config = await request(srv.port, "GET", "/api/config");
    expect(config.status).toBe(200);

    for (const c of clients) c.socket.resume();
    await waitFor(() => clients.every((c) => c.text().includes("event: end")), "every client read to the end", 30_000);
    for (const c of clients) expectAllResultsThenEnd(c.text());
    for (const c of clients) c.socket.destroy();
    expect((await request(srv.port, "GET", "/api/config")).status).toBe(200);
  });

  it("a slow reader: server buffers stay bounded at every step, and it gets every result once, in order", async () => {
    const id = await createBatch();
    const client = stalledSse(srv.port, `/api/batches/${id}/events`);
    await waitFor(() => responses.length === 1, "the stream opened");
    const res = responses[0]!;
    let maxHeld = 0;
    // Reads one chunk, then pauses until the server has had a few turns to produce more.
    const onData = (): void => {
      maxHeld = Math.max(maxHeld, heldBytes(res));
      client.socket.pause();
      setTimeout(() => client.socket.resume(), 10);
    };
    client.socket.on("data", onData);
    client.socket.resume();
    await request(srv.port, "POST", `/api/batches/${id}/run`);
    await finished(id);
    await waitFor(() => client.text().includes("event: end"), "the slow reader read to the end", 60_000);
    expect(maxHeld).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(BOUND);
    expectAllResultsThenEnd(client.text());
    client.socket.destroy();
    expect((await request(srv.port, "GET", "/api/config")).status).toBe(200);
  });
});

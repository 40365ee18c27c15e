/**
 * Clients that do not keep up cannot crash or bloat the server: real sockets on 127.0.0.1 that stop
 * reading, or read slowly, while a batch writes large result events. The server-side response
 * buffers stay bounded (asserted on `writableLength` and the stream's queue, never on time), the
 * server keeps answering, and every client still gets every result once, in id order, then `end`.
 */
import { isTerminal } from "@flowcraft/core";
import type { ServerResponse } from "node:http";
import { waitFor } from "@flowcraft/core/testing";
import { sseState } from "../src/http/sse-stream";
import { BigTextAi } from "./support/big-text-ai";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { request } from "./support/http-client";
import { parseEvents, pausedGet } from "./support/raw-client";
import { startTestServer, type TestServer } from "./support/test-server";

// Every text output is 40 KB, so each result event is about 80 KB (outputs and node outputs).
const ROWS = 150; // about 12 MB of events: far more than the kernel's socket buffers hold
const MAX_QUEUED = 256 * 1024;
const EVENT_BYTES = 100 * 1024; // an upper bound of one result event here
/** What one client may hold in server memory: the queue, the socket's high-water mark, one event. */
const BOUND = MAX_QUEUED + 64 * 1024 + 2 * EVENT_BYTES;

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
async function start(stallMs: number): Promise<void> {
  srv = await startTestServer({ ai: new BigTextAi(40_000), sse: { maxQueuedBytes: MAX_QUEUED, stallMs } });
  responses.length = 0;
  srv.server.on("request", (req, res: ServerResponse) => {
    if (req.url?.includes("/events")) responses.push(res);
  });
}
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
    await start(600_000);
    const id = await createBatch();
    const clients = [0, 1, 2].map(() => pausedGet(srv.port, `/api/batches/${id}/events`, { accept: "text/event-stream" }));
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
    await start(600_000);
    const id = await createBatch();
    const client = pausedGet(srv.port, `/api/batches/${id}/events`, { accept: "text/event-stream" });
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

  it("disconnects a client that takes nothing for stallMs; it resumes with Last-Event-ID and misses nothing", async () => {
    await start(300);
    const id = await createBatch();
    const stalled = pausedGet(srv.port, `/api/batches/${id}/events`, { accept: "text/event-stream" });
    await waitFor(() => responses.length === 1, "the stream opened");
    await request(srv.port, "POST", `/api/batches/${id}/run`);
    // The server gives up on it and releases its buffers (what the kernel already took still arrives).
    await waitFor(() => sseState(responses[0]!)?.state === "closed", "the server to drop the stalled client", 30_000);
    expect(responses[0]!.writableLength).toBe(0);
    stalled.socket.resume();
    await stalled.closed;

    await finished(id);
    const seen = parseEvents(stalled.text()).filter((e) => e.event === "result");
    const last = seen.length > 0 ? String(seen[seen.length - 1]!.id) : "0";
    const resumed = pausedGet(srv.port, `/api/batches/${id}/events`, { accept: "text/event-stream", "last-event-id": last });
    resumed.socket.resume();
    await waitFor(() => resumed.text().includes("event: end"), "the resumed stream read to the end", 30_000);
    resumed.socket.destroy();
    const got = [...seen, ...parseEvents(resumed.text()).filter((e) => e.event === "result")];
    const rows = got.map((e) => (JSON.parse(e.data) as { rowIndex: number }).rowIndex);
    expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  });
});

/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- JSON replies are checked by the assertions */
/**
 * POST /api/uploads: a CSV streamed as the raw body (sent in many pieces, characters split between
 * them) is parsed as it arrives and held under an upload id; POST /api/batches {upload} creates
 * the batch from it. A bad file answers 400 with its row details and nothing is kept or written;
 * a body past the CSV limit is 413.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { TEXT_FLOW } from "./support/flows";
import { request, waitForBatchEnd, type Reply } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ csvBytes: 256 * 1024 });
});
afterAll(async () => {
  await srv.close();
});

/** Sends `body` as text/csv in pieces of `piece` bytes, each written separately. */
function uploadCsv(body: Buffer, piece: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: srv.port, method: "POST", path: "/api/uploads", headers: { "content-type": "text/csv" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) as unknown });
      });
    });
    req.on("error", reject);
    for (let i = 0; i < body.length; i += piece) req.write(body.subarray(i, i + piece));
    req.end();
  });
}

const api = (method: string, path: string, body?: unknown): Promise<Reply> => request(srv.port, method, path, body);

describe("POST /api/uploads", () => {
  it("parses a CSV sent in pieces and creates the batch from its upload id, rows in order", async () => {
    const topics = Array.from({ length: 300 }, (_, i) => (i === 7 ? `"line one\nétoile ""${i}"""` : `é-${i}`));
    const body = Buffer.from(`\uFEFFtopic\r\n${topics.join("\r\n")}\r\n`, "utf8");
    const up = await uploadCsv(body, 7); // 7 bytes: splits "é", CRLF and "" between pieces
    expect(up.status).toBe(201);
    expect(up.json.upload).toMatchObject({ columns: ["topic"], rowCount: 300 });
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, upload: up.json.upload.id, start: true, concurrency: 10 });
    expect(created.status).toBe(201);
    expect(created.json.job.totalRows).toBe(300);
    const done = await waitForBatchEnd(srv.port, created.json.job.id);
    expect(done.json.job.status).toBe("completed");
    const page = await api("GET", `/api/batches/${created.json.job.id}/results?limit=10`);
    expect(
      page.json.results.map((r: { rowIndex: number; nodeOutputs: { topic: { text: string } } }) => [r.rowIndex, r.nodeOutputs.topic.text]).slice(6, 9),
    ).toEqual([
      [6, "é-6"],
      [7, 'line one\nétoile "7"'],
      [8, "é-8"],
    ]);
    // Used once: the id is gone after the create.
    const again = await api("POST", "/api/batches", { flow: TEXT_FLOW, upload: up.json.upload.id });
    expect(again.status).toBe(400);
    expect(again.json.error.details[0].path).toBe("upload");
  });

  it("answers a bad file with its row details (paths under csv) and keeps nothing", async () => {
    const before = await api("GET", "/api/batches");
    const lines = Array.from({ length: 40 }, (_, i) => (i % 10 === 3 ? `r${i},extra` : `r${i}`));
    const up = await uploadCsv(Buffer.from(`topic\n${lines.join("\n")}\n`), 5);
    expect(up.status).toBe(400);
    expect(up.json.error.details.map((d: { path: string }) => d.path)).toEqual(["csv.rows[3]", "csv.rows[13]", "csv.rows[23]", "csv.rows[33]"]);
    expect(up.json.error.message).toMatch(/and 3 more problems/);
    const after = await api("GET", "/api/batches");
    expect(after.json.jobs).toEqual(before.json.jobs);
  });

  it("holds an upload as a file in the data directory, not in memory, and removes it once used", async () => {
    const uploadsDir = path.join(srv.dataDir, "uploads");
    const body = Buffer.from(`topic\n${Array.from({ length: 500 }, (_, i) => `t${i}`).join("\n")}\n`);
    const up = await uploadCsv(body, 1024);
    expect(up.status).toBe(201);
    const file = path.join(uploadsDir, `${up.json.upload.id}.csv`);
    expect(fs.readFileSync(file)).toEqual(body);
    // A refused create keeps the upload (and writes nothing): fix the request and send it again.
    const before = await api("GET", "/api/batches");
    const bad = await api("POST", "/api/batches", {
      flow: { ...TEXT_FLOW, nodes: [{ id: "topic", type: "input", data: { column: "missing" } }, ...TEXT_FLOW.nodes.slice(1)] },
      upload: up.json.upload.id,
    });
    expect(bad.status).toBe(400);
    expect((await api("GET", "/api/batches")).json.jobs).toEqual(before.json.jobs);
    const est = await api("POST", "/api/batches/estimate", { flow: TEXT_FLOW, upload: up.json.upload.id });
    expect(est.status).toBe(200);
    expect(est.json.estimate).toMatchObject({ rows: 500, sampled: true, sampleRows: 200 });
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, upload: up.json.upload.id });
    expect(created.status).toBe(201);
    expect(created.json.job.totalRows).toBe(500);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("refuses a body past the CSV limit with 413", async () => {
    const up = await uploadCsv(Buffer.from(`topic\n${"x".repeat(100)}\n`.repeat(3000)), 64 * 1024);
    expect(up.status).toBe(413);
  });
});

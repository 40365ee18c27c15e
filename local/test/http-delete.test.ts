/**
 * DELETE /api/batches/:id over a real server: every SQLite table and every media file is listed
 * before and after, and nothing of the deleted batch is left (its webhook event records and
 * delivery task included); a running batch is refused (409);
 * the retention setting deletes old finished batches at start-up.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { IMAGE_FLOW, TEXT_FLOW, csvOf } from "./support/flows";
import { request, waitForBatchEnd } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";
import { createLocalHost } from "../src/local-host";
import { OfflineAiService } from "@flowcraft/core";

/** Every row of every table (as JSON text) and every file under the data directory's media. */
function everything(srv: { host: TestServer["host"]; dataDir: string }): string[] {
  srv.host.flush();
  const db = srv.host.store.db;
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  const rows = tables.flatMap((t) => (db.prepare(`SELECT * FROM "${t}"`).all() as object[]).map((r) => `${t}: ${JSON.stringify(r)}`));
  const media = path.join(srv.dataDir, "media");
  const files = fs.existsSync(media) ? (fs.readdirSync(media, { recursive: true }) as string[]).map((f) => `file: ${f}`) : [];
  return [...rows, ...files];
}

describe("DELETE /api/batches/:id", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv.close();
  });
  const api = (method: string, p: string, body?: unknown) => request(srv.port, method, p, body);

  it("deletes a finished batch with its rows, results, lanes, claims, media, webhook events and task records; other batches keep theirs", async () => {
    const got: string[] = [];
    const receiver = http.createServer((req, res) => {
      got.push(String(req.headers["x-flowcraft-event-id"]));
      req.resume();
      req.on("end", () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      await api("POST", "/api/settings/webhook-secret");
      const keep = (await api("POST", "/api/batches", { flow: IMAGE_FLOW, csv: csvOf(["a", "b"]), start: true })).json.job.id as string;
      await waitForBatchEnd(srv.port, keep);
      const created = await api("POST", "/api/batches", {
        flow: IMAGE_FLOW,
        csv: csvOf(["x", "y", "z"]),
        concurrency: 2,
        start: true,
        requestId: "del-1",
        webhookUrl,
      });
      const id = created.json.job.id as string;
      expect((await waitForBatchEnd(srv.port, id)).json.job.status).toBe("completed");
      for (let i = 0; i < 400 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(got).toEqual([`${id}:completed:0`]);
      const before = everything(srv);
      const mine = before.filter((r) => r.includes(id));
      for (const part of [`${id}/rows`, `${id}/lanes`, `${id}/claims`, `${id}/results`, `${id}/webhook_events`])
        expect(mine.some((r) => r.includes(part))).toBe(true);
      expect(mine.some((r) => r.startsWith("file: "))).toBe(true);
      expect(mine.some((r) => r.startsWith("tasks: "))).toBe(true);
      const keepRows = before.filter((r) => r.includes(keep)).length;

      const del = await api("DELETE", `/api/batches/${id}`);
      expect(del.status).toBe(200);
      expect(del.json).toEqual({ id, deleted: true });

      const after = everything(srv);
      expect(after.filter((r) => r.includes(id))).toEqual([]);
      expect(after.filter((r) => r.includes(keep)).length).toBe(keepRows);
      expect((await api("GET", `/api/batches/${id}`)).status).toBe(404);
      expect((await api("DELETE", `/api/batches/${id}`)).status).toBe(404);
      expect(((await api("GET", "/api/batches")).json.jobs as { id: string }[]).map((j) => j.id)).toEqual([keep]);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it("refuses a running batch with 409 and says to cancel first; after cancel it deletes", async () => {
    const topics = Array.from({ length: 4 }, (_, i) => `[[slow:300]] row ${i}`);
    const id = (await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 1, start: true })).json.job.id as string;
    const refused = await api("DELETE", `/api/batches/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: "failed_precondition", message: expect.stringMatching(/cancel it first/) });
    await api("POST", `/api/batches/${id}/cancel`);
    expect((await waitForBatchEnd(srv.port, id)).json.job.status).toBe("cancelled");
    expect((await api("DELETE", `/api/batches/${id}`)).status).toBe(200);
    expect(everything(srv).filter((r) => r.includes(id))).toEqual([]);
  });
});

describe("retention (local host)", () => {
  it("deletes finished batches older than --retention-days at start-up and keeps the rest", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-retention-"));
    try {
      const first = await startTestServer({ dataDir });
      const api = (method: string, p: string, body?: unknown) => request(first.port, method, p, body);
      const old = (await api("POST", "/api/batches", { flow: IMAGE_FLOW, csv: csvOf(["a"]), start: true })).json.job.id as string;
      const recent = (await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["b"]), start: true })).json.job.id as string;
      await waitForBatchEnd(first.port, old);
      await waitForBatchEnd(first.port, recent);
      // As if `old` had finished ten days ago.
      await first.host.store.update(`batch_jobs/${old}`, { finishedAt: Date.now() - 10 * 86_400_000 });
      await first.close();

      const host = createLocalHost({ dataDir, ai: new OfflineAiService({ latencyMs: 0 }), reconcileIntervalMs: 60_000, retentionDays: 7 });
      try {
        const gone = async () => (await host.store.get(`batch_jobs/${old}`)) === null && (await host.store.get(`batch_deletes/${old}`)) === null;
        for (let i = 0; i < 200 && !(await gone()); i++) await new Promise((r) => setTimeout(r, 25));
        expect(everything({ host, dataDir }).filter((r) => r.includes(old))).toEqual([]);
        expect((await host.store.get(`batch_jobs/${recent}`))?.data).toMatchObject({ status: "completed" });
      } finally {
        await host.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * Webhooks over a real server, against a receiver on 127.0.0.1 that fails the first delivery: the
 * delivery is retried with the same event id and body, signed with the owner's secret (shown once);
 * a pause is reported too; URLs that are not https or loopback, and webhooks without a secret, are
 * refused before anything is written.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "@flowcraft/core";
import { waitFor } from "@flowcraft/core/testing";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { waitForBatchEnd } from "./support/http-client";
import { useTestServer } from "./support/test-server";

const srv = useTestServer();
const api = srv.api;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** Answers 500 to the first `failFirst` requests, then 204; keeps every request. */
function startReceiver(failFirst: number): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const answered = got.length < failFirst ? 500 : 204;
      got.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

describe("webhooks (local host)", () => {
  it("refuses a webhook without a secret, and a URL that is not https or loopback, writing nothing", async () => {
    const before = (await api("GET", "/api/batches")).json.jobs.length as number;
    const noSecret = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a"]), webhookUrl: "http://127.0.0.1:9/hook" });
    expect(noSecret.status).toBe(409);
    expect(noSecret.json.error.message).toMatch(/Settings/);
    expect((await api("GET", "/api/settings/webhook-secret")).json.webhookSecret).toEqual({ exists: false, createdAt: null, last4: null });
    await api("POST", "/api/settings/webhook-secret");
    for (const webhookUrl of ["http://example.com/hook", "ftp://127.0.0.1/x", "not a url", "https://user:pw@example.com/"]) {
      const bad = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a"]), webhookUrl });
      expect([webhookUrl, bad.status, bad.json.error.details[0].path]).toEqual([webhookUrl, 400, "webhookUrl"]);
    }
    expect((await api("GET", "/api/batches")).json.jobs.length).toBe(before);
  });

  it("delivers batch.completed at least once: the first attempt fails, the retry has the same event id and a valid signature", async () => {
    const created = await api("POST", "/api/settings/webhook-secret");
    expect(created.status).toBe(201);
    const secret = created.json.webhookSecret.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const info = (await api("GET", "/api/settings/webhook-secret")).json.webhookSecret;
    expect(info).toMatchObject({ exists: true, last4: secret.slice(-4) });
    expect(JSON.stringify(info)).not.toContain(secret);

    const receiver = await startReceiver(1);
    try {
      const job = (await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a", "b"]), start: true, webhookUrl: receiver.url })).json.job;
      expect(job.webhookUrl).toBe(receiver.url);
      expect((await waitForBatchEnd(srv.port, job.id as string)).json.job.status).toBe("completed");
      await waitFor(() => receiver.got.length >= 2, "a retried webhook delivery");
      const [first, second] = receiver.got as [Received, Received];
      expect([first.answered, second.answered]).toEqual([500, 204]);
      expect(second.body).toBe(first.body);
      expect(second.headers["x-flowcraft-event-id"]).toBe(`${job.id}:completed:0`);
      expect(first.headers["x-flowcraft-event-id"]).toBe(second.headers["x-flowcraft-event-id"]);
      const body = JSON.parse(second.body) as { id: string; type: string; batch: { id: string; completedRows: number } };
      expect(body).toMatchObject({ id: `${job.id}:completed:0`, type: "batch.completed", batch: { id: job.id, completedRows: 2 } });
      const header = String(second.headers["x-flowcraft-signature"]);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifyWebhook({ secret, header, body: second.body, nowMs: Date.now() })).toBe(true);
      expect(verifyWebhook({ secret: "whsec_other", header, body: second.body, nowMs: Date.now() })).toBe(false);
      expect(verifyWebhook({ secret, header, body: second.body.replace("completed", "failed"), nowMs: Date.now() })).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it("reports a pause as batch.paused", async () => {
    const receiver = await startReceiver(0);
    try {
      const topics = Array.from({ length: 4 }, (_, i) => `[[slow:300]] row ${i}`);
      const job = (await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 1, start: true, webhookUrl: receiver.url })).json.job;
      await api("POST", `/api/batches/${job.id as string}/pause`);
      await waitFor(() => receiver.got.length >= 1, "a paused webhook");
      expect(JSON.parse(receiver.got[0]!.body)).toMatchObject({ type: "batch.paused", batch: { id: job.id, status: "paused", pausedReason: "user" } });
      await api("POST", `/api/batches/${job.id as string}/cancel`);
      await waitForBatchEnd(srv.port, job.id as string);
      await waitFor(() => receiver.got.some((g) => JSON.parse(g.body).type === "batch.cancelled"), "a cancelled webhook");
    } finally {
      await receiver.close();
    }
  });
});

/**
 * Webhooks on the Firebase host through the real exported functions: the secret callables (the
 * secret is returned once, never by the read), createBatch refusing a webhook without a secret,
 * and a delivery through runBatchRow to a receiver on 127.0.0.1 that fails the first attempt: the
 * task is retried (as Cloud Tasks would) with the same event id and a valid signature; the
 * finalize commit's event document, delivered to the real onWebhookEventCreated export (with or
 * without the event's data, twice), queues exactly one delivery task.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { OfflineAiService, WebhookEventDoc, verifyWebhook, webhookEventsPath } from "@flowcraft/core";
import * as fns from "../src/index";
import { Harness, auth, fft, httpsErrorOf, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

const caller = (uid: string, data: unknown = {}) => ({ data, auth: auth(uid) }) as never;

describe("webhook callables", () => {
  it("shows the secret once, then only whether it exists; createBatch needs it for a webhookUrl", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
    const data = { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], webhookUrl: "https://hooks.example.com/x" };
    const refused = await httpsErrorOf(h.createBatch(caller("alice", data)));
    expect(refused.code).toBe("failed-precondition");
    expect((await h.getWebhookSecret(caller("alice"))).webhookSecret).toEqual({ exists: false, createdAt: null, last4: null });
    const { webhookSecret } = await h.rotateWebhookSecret(caller("alice"));
    const info = (await h.getWebhookSecret(caller("alice"))).webhookSecret;
    expect(info).toMatchObject({ exists: true, last4: webhookSecret.secret.slice(-4) });
    expect(JSON.stringify(info)).not.toContain(webhookSecret.secret);
    expect((await h.getWebhookSecret(caller("bob"))).webhookSecret.exists).toBe(false);
    const { job } = await h.createBatch(caller("alice", data));
    expect(job.webhookUrl).toBe("https://hooks.example.com/x");
    const bad = await httpsErrorOf(h.createBatch(caller("alice", { ...data, webhookUrl: "http://hooks.example.com/x" })));
    expect(bad.code).toBe("invalid-argument");
  });

  it("delivers batch.completed through runBatchRow, retried after a failed first attempt", async () => {
    const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        got.push({ headers: req.headers, body });
        res.writeHead(got.length === 1 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const h = new Harness({ ai: new OfflineAiService() });
      const { webhookSecret } = await h.rotateWebhookSecret(caller("alice"));
      const { job } = await h.createBatch(caller("alice", { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], start: true, webhookUrl: url }));
      await h.drain();
      expect(got).toHaveLength(1); // the first attempt failed: Cloud Tasks would retry it
      const task = h.queue.enqueued.find((t) => (t.payload as { kind?: string }).kind === "webhook");
      expect(task).toBeDefined();
      await h.deliverTask(task!, 1);
      expect(got).toHaveLength(2);
      expect(got[1]!.body).toBe(got[0]!.body);
      expect(got[1]!.headers["x-flowcraft-event-id"]).toBe(`${job.id}:completed:0`);
      const header = String(got[1]!.headers["x-flowcraft-signature"]);
      expect(verifyWebhook({ secret: webhookSecret.secret, header, body: got[1]!.body, nowMs: Date.now() })).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("onWebhookEventCreated queues one delivery per event document, however often it is delivered", async () => {
    const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
    await h.rotateWebhookSecret(caller("alice"));
    const { job } = await h.createBatch(
      caller("alice", { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], start: true, webhookUrl: "https://hooks.example.com/x" }),
    );
    const row = h.queue.enqueued.find((t) => (t.payload as { kind?: string }).kind === undefined)!;
    await h.deliverTask(row);
    const [result] = await h.store.query(`batch_jobs/${job.id}/results`);
    await h.deliverCreated(result!);
    const docs = await h.store.query(webhookEventsPath(job.id));
    expect(docs.map((d) => WebhookEventDoc.parse(d.data))).toEqual([expect.objectContaining({ type: "batch.completed", status: "recorded" })]);
    const webhookTasks = () => h.queue.enqueued.filter((t) => (t.payload as { kind?: string }).kind === "webhook");
    expect(webhookTasks()).toHaveLength(0); // the transition only recorded it
    const key = docs[0]!.path.split("/").pop()!;
    await fns.onWebhookEventCreated.run({ params: { jobId: job.id, eventKey: key }, data: undefined } as never);
    await h.deliverCreated(docs[0]!); // a repeated delivery of the same event, with its data
    expect(webhookTasks()).toHaveLength(1);
    expect(webhookTasks()[0]!.payload).toMatchObject({ kind: "webhook", eventId: `${job.id}:completed:0` });
    const after = await h.store.get(docs[0]!.path);
    expect(WebhookEventDoc.parse(after!.data).status).toBe("queued");
    // A document gone before its event arrived (the batch was deleted): nothing is queued.
    await expect(fns.onWebhookEventCreated.run({ params: { jobId: job.id, eventKey: "gone" }, data: undefined } as never)).resolves.toBeUndefined();
    expect(webhookTasks()).toHaveLength(1);
  });
});

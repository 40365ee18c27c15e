/**
 * Webhooks on the Firebase host through the real exported functions: the secret callables (the
 * secret is returned once, never by the read), createBatch refusing a webhook without a secret,
 * and a delivery through runBatchRow to a receiver on 127.0.0.1 that fails the first attempt: the
 * task is retried (as Cloud Tasks would) with the same event id and a valid signature.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { OfflineAiService, verifyWebhook } from "@flowcraft/core";
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
    expect((job).webhookUrl).toBe("https://hooks.example.com/x");
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
      expect(got[1]!.headers["x-flowcraft-event-id"]).toBe(`${(job).id}:completed:0`);
      const header = String(got[1]!.headers["x-flowcraft-signature"]);
      expect(verifyWebhook({ secret: webhookSecret.secret, header, body: got[1]!.body, nowMs: Date.now() })).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

/**
 * A webhook event survives the local host dying between the batch's final commit and the
 * delivery's enqueue: the finalize transaction records the event document, whose outbox row
 * lands in the same SQLite commit. Here the first host's enqueue of webhook tasks fails (as if the
 * process died there) and the host closes; a second host on the same data directory delivers the
 * outbox row at start-up, queues the delivery once, and the receiver on 127.0.0.1 gets the event,
 * with the event document ending `delivered`.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { OfflineAiService, WebhookEventDoc, webhookEventsPath } from "@flowcraft/core";
import { LOCAL_OWNER, createLocalHost, type LocalHost } from "../src/local-host";
import { waitForEnd } from "../bench/bench-support";
import { TEXT_FLOW } from "./support/flows";

interface Received {
  eventId: string;
  body: string;
}

function startReceiver(): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      got.push({ eventId: String(req.headers["x-flowcraft-event-id"]), body });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

/** Polls an async condition every 10 ms; fails with `what` after 10 s. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (const start = Date.now(); !(await cond());) {
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function events(host: LocalHost, jobId: string): Promise<WebhookEventDoc[]> {
  return (await host.store.query(webhookEventsPath(jobId), {})).map((d) => WebhookEventDoc.parse(d.data));
}

describe("webhook events across a local host crash", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-hook-crash-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("an event recorded by the final commit but never queued is delivered once by the next host", async () => {
    const receiver = await startReceiver();
    const ai = new OfflineAiService({ latencyMs: 0 });
    let jobId = "";
    try {
      const first = createLocalHost({ dataDir: dir, ai });
      const enqueue = first.queue.enqueue.bind(first.queue);
      let refused = 0;
      first.queue.enqueue = async (t: Parameters<typeof enqueue>[0]) => {
        if ((t.payload as { kind?: string }).kind === "webhook") {
          refused += 1;
          throw new Error("the process died here");
        }
        return enqueue(t);
      };
      try {
        await first.handlers.rotateWebhookSecret(LOCAL_OWNER);
        const rows = Array.from({ length: 6 }, (_, i) => ({ topic: `t${i}` }));
        const job = await first.handlers.createJob({
          ...LOCAL_OWNER,
          flow: TEXT_FLOW,
          columns: ["topic"],
          rows,
          concurrency: 2,
          webhookUrl: receiver.url,
          start: true,
        });
        jobId = job.id;
        expect((await waitForEnd(first, jobId)).status).toBe("completed");
        await until(() => refused > 0, "the outbox to try the enqueue");
        expect(await events(first, jobId)).toEqual([expect.objectContaining({ type: "batch.completed", status: "recorded" })]);
      } finally {
        await first.close();
      }
      expect(receiver.got).toHaveLength(0);

      const second = createLocalHost({ dataDir: dir, ai });
      try {
        await until(async () => (await events(second, jobId))[0]?.status === "delivered", "the event to be delivered after the restart");
        expect(receiver.got).toHaveLength(1);
        expect(receiver.got[0]).toMatchObject({ eventId: `${jobId}:completed:0` });
        expect(JSON.parse(receiver.got[0]!.body)).toMatchObject({
          id: `${jobId}:completed:0`,
          type: "batch.completed",
          batch: { id: jobId, status: "completed", completedRows: 6 },
        });
        expect(await events(second, jobId)).toEqual([expect.objectContaining({ status: "delivered", attempts: 1 })]);
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
    }
  });
});

/**
 * The webhook outbox over the real handlers (MemoryStore, a recording queue, tasks and triggers
 * delivered by hand): the transition's own commit records the event; a crash between that commit
 * and the enqueue (the enqueue throws, the trigger is never delivered again) is repaired by
 * reconcile, which queues exactly one delivery task, and the receiver gets the event with the
 * same id; repeated triggers add nothing; each attempt's outcome lands on the event document;
 * pauses and the cancel of a pending batch are recorded too; a deleted batch leaves no event and
 * its queued delivery is not sent.
 */
import { webhookEventPath, WEBHOOK_OUTBOX, WEBHOOK_REDRIVE_AFTER_MS, type WebhookEventDoc } from "../src/webhooks/webhook-outbox";
import type { Doc } from "../src/ports/store";
import { COLUMNS, TWO_STEP_FLOW, ctxFor, makeHarness, rowsOf, type Harness } from "./support/batch-harness";

const owner = { ownerId: "u1" };
const URL_ = "http://127.0.0.1:9/hook";

interface Got {
  url: string;
  eventId: string;
  body: string;
}

/** A receiver behind the injected fetch: answers `statuses` in turn (then 204), keeps every request. */
function receiver(h: Harness, statuses: number[] = []): Got[] {
  const got: Got[] = [];
  h.deps.webhooks = {
    allowLoopback: true,
    fetch: (async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      got.push({ url, eventId: headers["x-flowcraft-event-id"] ?? "", body: typeof init.body === "string" ? init.body : "" });
      return new Response(null, { status: statuses.shift() ?? 204 });
    }) as unknown as typeof fetch,
  };
  return got;
}

async function setUp(statuses: number[] = []): Promise<{ h: Harness; got: Got[] }> {
  const h = makeHarness();
  const got = receiver(h, statuses);
  await h.handlers.rotateWebhookSecret(owner);
  return { h, got };
}

const webhookTasks = (h: Harness): string[] => [...h.queue.all.keys()].filter((id) => id.startsWith("webhook-"));
const eventDoc = async (h: Harness, jobId: string, eventId: string): Promise<WebhookEventDoc> =>
  (await h.store.get<WebhookEventDoc>(webhookEventPath(jobId, eventId)))!.data;

/** Delivers queued tasks only (no trigger), retrying throwers with increasing retry counts. */
async function runTasks(h: Harness, maxAttempts = 3): Promise<void> {
  const tries = new Map<string, number>();
  for (let t = h.queue.take(); t; t = h.queue.take()) {
    const n = tries.get(t.id) ?? 0;
    try {
      await h.handlers.runRowTask(t.payload, ctxFor(t.id, n, maxAttempts));
    } catch {
      tries.set(t.id, n + 1);
      if (n + 1 < maxAttempts) h.queue.pending.push(t.id);
    }
  }
}

describe("webhook outbox", () => {
  it("records the event in the finalize commit; its trigger queues one delivery; the receiver gets it and the doc says delivered", async () => {
    const { h, got } = await setUp();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(2), concurrency: 1, start: true, webhookUrl: URL_ });
    await h.drain();
    const eventId = `${job.id}:completed:0`;
    expect(got.map((g) => g.eventId)).toEqual([eventId]);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ id: eventId, type: "batch.completed", batch: { completedRows: 2 } });
    expect(webhookTasks(h)).toHaveLength(1);
    expect(await eventDoc(h, job.id, eventId)).toMatchObject({ status: "delivered", attempts: 1, lastError: null, url: URL_, ownerId: "u1" });
    expect(h.store.docCount(WEBHOOK_OUTBOX)).toBe(0);

    // At-least-once trigger: a repeated event and a repeated task add nothing.
    const created = h.created.find((d) => d.path.includes("/webhook_events/")) as Doc;
    await h.handlers.onWebhookEventCreated(created);
    expect(webhookTasks(h)).toHaveLength(1);
    const id = webhookTasks(h)[0]!;
    await h.handlers.runRowTask(h.queue.all.get(id)!, ctxFor(id));
    expect(got).toHaveLength(1); // already delivered: not sent again
  });

  it("a crash between the commit and the enqueue: reconcile queues exactly one task and the receiver gets the same event id", async () => {
    const { h, got } = await setUp();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(2), concurrency: 1, start: true, webhookUrl: URL_ });
    const enqueue = h.queue.enqueue.bind(h.queue);
    let crashes = 0;
    jest.spyOn(h.queue, "enqueue").mockImplementation(async (t) => {
      if (t.id.startsWith("webhook-") && crashes++ === 0) throw new Error("process died before the enqueue");
      return enqueue(t);
    });
    await expect(h.drain()).rejects.toThrow("process died");
    await h.drain(); // the rest of the work; the event's trigger is not delivered again
    const eventId = `${job.id}:completed:0`;
    expect((await h.handlers.getJob(owner, job.id)).status).toBe("completed");
    expect(webhookTasks(h)).toEqual([]);
    expect(got).toEqual([]);
    expect((await eventDoc(h, job.id, eventId)).status).toBe("recorded");
    expect(h.store.docCount(WEBHOOK_OUTBOX)).toBe(1);

    // Reconcile leaves fresh events to their trigger, then takes over.
    expect((await h.handlers.reconcile()).webhookEvents).toBe(0);
    await h.clock.advance(WEBHOOK_REDRIVE_AFTER_MS + 1);
    expect((await h.handlers.reconcile()).webhookEvents).toBe(1);
    expect((await h.handlers.reconcile()).webhookEvents).toBe(0);
    expect(webhookTasks(h)).toHaveLength(1);
    expect((await eventDoc(h, job.id, eventId)).status).toBe("queued");
    await runTasks(h);
    expect(got.map((g) => g.eventId)).toEqual([eventId]);
    expect((await eventDoc(h, job.id, eventId)).status).toBe("delivered");
  });

  it("records every attempt: retrying with the last error, then failed on the last attempt", async () => {
    const { h, got } = await setUp([500, 302, 503]);
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1), start: true, webhookUrl: URL_ });
    await h.drain({ maxAttempts: 1 }).catch(() => undefined);
    const eventId = `${job.id}:completed:0`;
    const id = webhookTasks(h)[0]!;
    const task = h.queue.all.get(id)!;
    // drain gave it its attempts with maxAttempts 1: one attempt, recorded as failed.
    expect(got).toHaveLength(1);
    expect(await eventDoc(h, job.id, eventId)).toMatchObject({ status: "failed", attempts: 1, lastError: "status 500" });
    await expect(h.handlers.runRowTask(task, ctxFor(id, 1, 3))).rejects.toThrow(/status 302/);
    expect(await eventDoc(h, job.id, eventId)).toMatchObject({ status: "retrying", attempts: 2, lastError: "status 302" });
    await h.handlers.runRowTask(task, ctxFor(id, 2, 3));
    expect(await eventDoc(h, job.id, eventId)).toMatchObject({ status: "failed", attempts: 3, lastError: "status 503" });
  });

  it("records a pause and the cancel of a pending batch", async () => {
    const { h, got } = await setUp();
    const running = await h.handlers.createJob({
      ...owner,
      flow: TWO_STEP_FLOW,
      columns: COLUMNS,
      rows: rowsOf(3),
      concurrency: 1,
      start: true,
      webhookUrl: URL_,
    });
    const paused = await h.handlers.pauseJob(owner, running.id);
    const pending = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1), webhookUrl: URL_ });
    await h.handlers.cancelJob(owner, pending.id);
    await h.drain();
    const types = got.map((g) => JSON.parse(g.body) as { type: string; batch: { id: string } }).map((b) => `${b.batch.id} ${b.type}`);
    expect(types).toEqual(expect.arrayContaining([`${running.id} batch.paused`, `${pending.id} batch.cancelled`]));
    expect(got.find((g) => g.eventId.startsWith(`${running.id}:paused:0:`))?.eventId).toBe(`${running.id}:paused:0:${paused.pausedAt}`);
  });

  it("deleting the batch removes its events and outbox entries, and a delivery still queued is not sent", async () => {
    const { h, got } = await setUp();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1), start: true, webhookUrl: URL_ });
    // Run the row and its trigger, but keep the webhook's task queued.
    for (let t = h.queue.take(); t; t = h.queue.take()) await h.handlers.runRowTask(t.payload, ctxFor(t.id));
    for (const d of h.created.filter((c) => c.path.includes("/results/"))) await h.handlers.onResultCreated(d);
    const event = h.created.find((c) => c.path.includes("/webhook_events/")) as Doc;
    await h.handlers.onWebhookEventCreated(event);
    expect(h.store.docCount(`batch_jobs/${job.id}/webhook_events`)).toBe(1);
    await h.handlers.deleteJob(owner, job.id);
    expect(Object.keys(h.store.snapshot()).filter((p) => p.includes(job.id) || p.startsWith(WEBHOOK_OUTBOX))).toEqual([]);
    await runTasks(h);
    expect(got).toEqual([]);
  });

  it("an outbox entry left by a deleted batch is cleaned by reconcile", async () => {
    const { h } = await setUp();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1), start: true, webhookUrl: URL_ });
    for (let t = h.queue.take(); t; t = h.queue.take()) await h.handlers.runRowTask(t.payload, ctxFor(t.id));
    for (const d of h.created.filter((c) => c.path.includes("/results/"))) await h.handlers.onResultCreated(d);
    expect(h.store.docCount(WEBHOOK_OUTBOX)).toBe(1);
    await h.store.deleteTree(`batch_jobs/${job.id}`); // as if the purge had stopped before the outbox
    await h.clock.advance(WEBHOOK_REDRIVE_AFTER_MS + 1);
    expect((await h.handlers.reconcile()).webhookEvents).toBe(0);
    expect(h.store.docCount(WEBHOOK_OUTBOX)).toBe(0);
  });
});

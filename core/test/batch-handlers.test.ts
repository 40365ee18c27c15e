/**
 * Handler behaviour with tasks delivered by hand: start, full run, duplicates and stale deliveries,
 * cancel, concurrency changes, retry of failed rows from their failed node, last-attempt failure,
 * reconcile, results paging and export.
 */
import { RetryableError } from "../src/errors";
import type { AiService, TextRequest, TextResult } from "../src/ai/port";
import { OfflineAiService } from "../src/ai/offline";
import { exportRows } from "../src/batch/export";
import { DEFAULT_LIMITS } from "../src/batch/limits";
import { Lane } from "../src/batch/state";
import { silentLogger } from "../src/logger";
import { COLUMNS, TWO_STEP_FLOW, ctxFor, makeHarness, rowsOf, type Harness } from "./support/batch-harness";

const owner = { ownerId: "u1" };

async function newJob(h: Harness, n: number, concurrency: number, note?: (i: number) => string) {
  return h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(n, note), concurrency });
}

async function lanes(h: Harness, jobId: string): Promise<Lane[]> {
  return (await h.store.query(`batch_jobs/${jobId}/lanes`)).map((d) => Lane.parse(d.data));
}

describe("start and run", () => {
  test.each([
    [1, 1],
    [5, 2],
    [7, 7],
    [3, 10],
  ])("%i rows at concurrency %i: min(C, rows) lanes, every row counted once, job completed", async (n, c) => {
    const h = makeHarness();
    const job = await newJob(h, n, c);
    await h.handlers.startJob(owner, job.id);
    expect(h.queue.pending).toHaveLength(Math.min(n, c));
    await h.handlers.startJob(owner, job.id); // idempotent: nothing new
    expect(h.queue.pending).toHaveLength(Math.min(n, c));
    await h.drain();
    const done = await h.handlers.getJob(owner, job.id);
    expect(done).toMatchObject({ status: "completed", completedRows: n, failedRows: 0, skippedRows: 0 });
    expect(h.counted.map((e) => e.rowIndex).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(h.finished).toHaveLength(1);
    expect(done.usage.totalTokens).toBeGreaterThan(0);
  });

  test("listJobs shows only the caller's jobs, newest first", async () => {
    const h = makeHarness();
    const a = await newJob(h, 1, 1);
    await h.clock.advance(1_000);
    const b = await newJob(h, 1, 1);
    await h.handlers.createJob({ ownerId: "other", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1) });
    expect((await h.handlers.listJobs(owner)).map((j) => j.id)).toEqual([b.id, a.id]);
    expect(await h.handlers.listJobs(owner, { limit: 1 })).toHaveLength(1);
    expect(JSON.stringify(await h.handlers.getJob(owner, a.id))).not.toContain("rowChunkStarts");
  });

  test("a finished job cannot be started again; another owner sees not_found", async () => {
    const h = makeHarness();
    const job = await newJob(h, 1, 1);
    await expect(h.handlers.startJob({ ownerId: "other" }, job.id)).rejects.toMatchObject({ code: "not_found" });
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    await expect(h.handlers.startJob(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
  });
});

describe("at-least-once delivery", () => {
  test("a duplicate delivery of the same attempt does not run the row again", async () => {
    const h = makeHarness();
    const job = await newJob(h, 2, 1);
    await h.handlers.startJob(owner, job.id);
    const first = h.queue.take();
    if (!first) throw new Error("no task");
    await Promise.all([h.handlers.runRowTask(first.payload, ctxFor(first.id)), h.handlers.runRowTask(first.payload, ctxFor(first.id))]);
    expect(h.started.filter((s) => s.rowIndex === 0)).toHaveLength(1);
    expect(h.counted).toHaveLength(1);
  });

  test("a late redelivery after the row was committed is stale: no run, no count, no new task", async () => {
    // One row per task (no groups), so one delivery is one row.
    const h = makeHarness({ limits: { groupTargetMs: 0 } });
    const job = await newJob(h, 3, 1);
    await h.handlers.startJob(owner, job.id);
    const first = h.queue.take();
    if (!first) throw new Error("no task");
    await h.handlers.runRowTask(first.payload, ctxFor(first.id));
    const queued = h.queue.all.size;
    await h.handlers.runRowTask(first.payload, ctxFor(first.id, 1));
    expect(h.started).toHaveLength(1);
    expect(h.counted).toHaveLength(1);
    expect(h.queue.all.size).toBe(queued);
  });

  test("duplicate and reordered result triggers change nothing", async () => {
    const h = makeHarness();
    const job = await newJob(h, 4, 2);
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    const results = h.created.filter((d) => d.path.includes("/results/"));
    const writes = h.store.writeLog.length;
    for (const d of [...results].reverse()) await h.handlers.onResultCreated(d);
    expect(h.store.writeLog.length).toBe(writes);
    expect(h.finished).toHaveLength(1);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ completedRows: 4 });
  });

  test("a crash between the commit and the next enqueue is repaired by the result trigger", async () => {
    const h = makeHarness();
    const job = await newJob(h, 2, 1);
    await h.handlers.startJob(owner, job.id);
    const first = h.queue.take();
    if (!first) throw new Error("no task");
    const enqueue = h.queue.enqueue.bind(h.queue);
    h.queue.enqueue = () => Promise.reject(new Error("crash"));
    await expect(h.handlers.runRowTask(first.payload, ctxFor(first.id))).rejects.toThrow("crash");
    h.queue.enqueue = enqueue;
    expect(h.queue.pending).toHaveLength(0);
    const result = h.created.find((d) => d.path.endsWith("/results/000000"));
    if (!result) throw new Error("no result");
    await h.handlers.onResultCreated(result);
    // The lane's row task again (the trigger may also schedule a trailing progress roll-up).
    expect(h.queue.pending.filter((id) => !id.startsWith("rollup-"))).toHaveLength(1);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 2 });
  });
});

/** An AI whose `polish` calls always fail retryably (a long outage). */
function outageAi(h: () => Harness): AiService {
  let offline: OfflineAiService | null = null;
  return {
    name: "outage",
    generateText: (req: TextRequest): Promise<TextResult> => {
      if (req.prompt.startsWith("Polish")) return Promise.reject(new RetryableError("unavailable", "The AI service is unavailable"));
      offline ??= new OfflineAiService({ latencyMs: 0, clock: h().clock });
      return offline.generateText(req);
    },
    generateImage: () => Promise.reject(new Error("unused")),
    generateVideo: () => Promise.reject(new Error("unused")),
  };
}

describe("retries and failures", () => {
  test("a retryable row failure throws (queue retries, resuming from a checkpoint); the last attempt records it failed", async () => {
    const holder: { h?: Harness } = {};
    const h = makeHarness({ ai: outageAi(() => holder.h as Harness) });
    holder.h = h;
    const job = await newJob(h, 1, 1);
    await h.handlers.startJob(owner, job.id);
    const t = h.queue.take();
    if (!t) throw new Error("no task");
    await expect(h.handlers.runRowTask(t.payload, ctxFor(t.id, 0))).rejects.toBeInstanceOf(RetryableError);
    const cp = await h.store.get(`batch_jobs/${job.id}/checkpoints/000000`);
    expect(Object.keys((cp?.data as { nodeOutputs: object }).nodeOutputs)).toContain("draft");
    await h.handlers.runRowTask(t.payload, ctxFor(t.id, 2, 3)); // last attempt: no throw
    const results = await h.handlers.listResults(owner, job.id);
    expect(results.results[0]).toMatchObject({ status: "failed", attempts: 3, error: { code: "unavailable", nodeId: "polish" } });
    expect(results.results[0]?.trace.draft?.status).toBe("resumed");
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "failed", failedRows: 1, completedRows: 0 });
  });

  test("retryFailed re-runs only the failed rows, each from its failed node", async () => {
    const h = makeHarness();
    const failing = new Set([1, 4]);
    const job = await newJob(h, 6, 2, (i) => (failing.has(i) ? "[[fail-first]]" : "fine"));
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 4, failedRows: 2 });
    await expect(h.handlers.retryFailed(owner, job.id)).resolves.toMatchObject({ rows: 2, job: { status: "processing", pass: 1, failedRows: 0 } });
    await h.drain();
    expect(
      h.started
        .filter((s) => s.pass === 1)
        .map((s) => s.rowIndex)
        .sort(),
    ).toEqual([1, 4]);
    const done = await h.handlers.getJob(owner, job.id);
    expect(done).toMatchObject({ status: "completed", completedRows: 6, failedRows: 0, pass: 1 });
    const page = await h.handlers.listResults(owner, job.id, { limit: 10 });
    for (const r of page.results) {
      expect(r.status).toBe("succeeded");
      if (failing.has(r.rowIndex)) expect(r).toMatchObject({ pass: 1, trace: { draft: { status: "resumed" }, polish: { status: "succeeded" } } });
      else expect(r.pass).toBe(0);
    }
    expect(h.finished).toHaveLength(2);
    await expect(h.handlers.retryFailed(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
  });
});

test("two concurrent retryFailed calls: one opens the pass, the other is refused, the pass runs its own list", async () => {
  const h = makeHarness();
  const job = await newJob(h, 8, 3, (i) => (i % 3 === 0 ? "[[fail-first]]" : "ok"));
  await h.handlers.startJob(owner, job.id);
  await h.drain();
  const outcomes = await Promise.allSettled([h.handlers.retryFailed(owner, job.id), h.handlers.retryFailed(owner, job.id)]);
  expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
  await h.drain();
  expect(
    h.started
      .filter((s) => s.pass === 1)
      .map((s) => s.rowIndex)
      .sort(),
  ).toEqual([0, 3, 6]);
  expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 8, failedRows: 0 });
});

describe("cancel and concurrency", () => {
  test("cancelling a pending job ends it at once with every row skipped", async () => {
    const h = makeHarness();
    const job = await newJob(h, 5, 2);
    await expect(h.handlers.cancelJob(owner, job.id)).resolves.toMatchObject({ status: "cancelled", skippedRows: 5 });
    await expect(h.handlers.startJob(owner, job.id)).rejects.toMatchObject({ code: "failed_precondition" });
  });

  test("cancelling a running job: in-flight rows finish, no new row starts, the rest is skipped", async () => {
    // One row per task (no groups), so one delivery is one row.
    const h = makeHarness({ limits: { groupTargetMs: 0 } });
    const job = await newJob(h, 10, 2);
    await h.handlers.startJob(owner, job.id);
    const a = h.queue.take();
    if (!a) throw new Error("no task");
    await h.handlers.runRowTask(a.payload, ctxFor(a.id)); // row 0 done, lane 0 moves on
    await h.handlers.cancelJob(owner, job.id);
    await h.drain();
    const done = await h.handlers.getJob(owner, job.id);
    expect(done).toMatchObject({ status: "cancelled", completedRows: 1, failedRows: 0, skippedRows: 9 });
    expect(h.started).toHaveLength(1);
    expect(h.finished).toEqual([{ jobId: job.id, status: "cancelled", at: expect.any(Number) as number }]);
    let jsonl = "";
    for await (const chunk of exportRows(deps(h), job.id, "jsonl")) jsonl += chunk;
    const statuses = jsonl
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { status: string }).status);
    expect(statuses).toEqual(["succeeded", ...Array.from({ length: 9 }, () => "cancelled")]);
  });

  test("raising concurrency adds lanes that take work at once; lowering retires high lanes after their row", async () => {
    const h = makeHarness();
    const job = await newJob(h, 40, 2);
    await h.handlers.startJob(owner, job.id);
    expect(h.queue.pending).toHaveLength(2);
    await h.handlers.setConcurrency(owner, job.id, 5);
    expect(h.queue.pending).toHaveLength(5);
    const busy = (await lanes(h, job.id)).filter((l) => l.current !== null);
    expect(busy.map((l) => l.index).sort()).toEqual([0, 1, 2, 3, 4]);
    await h.handlers.setConcurrency(owner, job.id, 1);
    // each queued row still runs; after that only lane 0 keeps going
    for (let i = 0; i < 5; i++) {
      const t = h.queue.take();
      if (!t) throw new Error("no task");
      await h.handlers.runRowTask(t.payload, ctxFor(t.id));
    }
    expect(h.queue.pending).toHaveLength(1);
    expect(h.queue.all.get(h.queue.pending[0] as string)?.lane).toBe("L000");
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 40 });
    await expect(h.handlers.setConcurrency(owner, job.id, 3)).rejects.toMatchObject({ code: "failed_precondition" });
    await expect(h.handlers.setConcurrency(owner, job.id, 0)).rejects.toMatchObject({ code: "invalid_input" });
  });
});

describe("reconcile, paging and export", () => {
  test("reconcile re-drives a lane whose task was lost, with a new task id", async () => {
    const h = makeHarness();
    const job = await newJob(h, 2, 1);
    await h.handlers.startJob(owner, job.id);
    const lost = h.queue.take(); // the task is lost (e.g. dropped after its last attempt)
    if (!lost) throw new Error("no task");
    await expect(h.handlers.reconcile({ olderThanMs: 60_000 })).resolves.toMatchObject({ redriven: 0, finalized: 0 });
    await h.clock.advance(61_000);
    await expect(h.handlers.reconcile({ olderThanMs: 60_000 })).resolves.toMatchObject({ redriven: 1, finalized: 0 });
    expect(h.queue.pending).toHaveLength(1);
    expect(h.queue.pending[0]).not.toBe(lost.id);
    // the old task, should it show up after all, is stale: it runs nothing
    await h.handlers.runRowTask(lost.payload, ctxFor(lost.id, 1));
    expect(h.started).toHaveLength(0);
    await h.drain();
    expect(h.started.map((s) => s.rowIndex)).toEqual([0, 1]);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 2 });
  });

  test("results page in row order and export lists every row with its status", async () => {
    const h = makeHarness();
    const job = await newJob(h, 5, 2, (i) => (i === 3 ? "[[fail]]" : "x"));
    await h.handlers.startJob(owner, job.id);
    const p1 = await h.handlers.listResults(owner, job.id, { limit: 2 });
    expect(p1.results).toHaveLength(0);
    await h.drain();
    const a = await h.handlers.listResults(owner, job.id, { limit: 3 });
    const b = await h.handlers.listResults(owner, job.id, { limit: 3, cursor: a.nextCursor });
    expect([...a.results, ...b.results].map((r) => r.rowIndex)).toEqual([0, 1, 2, 3, 4]);
    expect(b.nextCursor).toBeNull();
    let csv = "";
    for await (const chunk of exportRows(deps(h), job.id, "csv")) csv += chunk;
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("topic,note,result,status,error,durationMs,inputTokens,outputTokens,totalTokens,costUsd");
    expect(lines).toHaveLength(6);
    expect(lines[4]).toContain(",failed,");
    let jsonl = "";
    for await (const chunk of exportRows(deps(h), job.id, "jsonl")) jsonl += chunk;
    const recs = jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded", "failed", "succeeded"]);
  });
});

describe("export with input columns named like status columns", () => {
  test("keeps the input's own status and error values (CSV by position, JSON Lines as input.<name>)", async () => {
    const h = makeHarness();
    const rows = rowsOf(2).map((r, i) => ({ ...r, status: `todo ${i}`, error: "none" }));
    const job = await h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: [...COLUMNS, "status", "error"], rows });
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    let csv = "";
    for await (const chunk of exportRows(deps(h), job.id, "csv")) csv += chunk;
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("topic,note,status,error,result,status,error,durationMs,inputTokens,outputTokens,totalTokens,costUsd");
    expect(lines[1]!.split(",").slice(0, 4)).toEqual(["topic 0", "", "todo 0", "none"]);
    expect(lines[1]!.split(",").slice(5, 7)).toEqual(["succeeded", ""]);
    let jsonl = "";
    for await (const chunk of exportRows(deps(h), job.id, "jsonl")) jsonl += chunk;
    const recs = jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(recs[1]).toMatchObject({ topic: "topic 1", "input.status": "todo 1", "input.error": "none", status: "succeeded", error: "" });
  });
});

describe("result size", () => {
  const bigAi = (chars: number): AiService => ({
    name: "big",
    generateText: (req) =>
      Promise.resolve({
        text: req.prompt.startsWith("Polish") ? "x".repeat(chars) : "draft",
        usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
        model: "m",
      }),
    generateImage: () => Promise.reject(new Error("unused")),
    generateVideo: () => Promise.reject(new Error("unused")),
  });

  test.each([
    [600_000, "succeeded", 0], // outputs + node outputs too big: node outputs dropped, row kept
    [1_000_000, "failed", 1], // the output alone cannot fit a document: recorded failed, lane moves on
  ])("a %i-character output: row %s, job still completes", async (chars, status, failed) => {
    const h = makeHarness({ ai: bigAi(chars) });
    const job = await newJob(h, 2, 1);
    await h.handlers.startJob(owner, job.id);
    await h.drain();
    const [first] = (await h.handlers.listResults(owner, job.id)).results;
    expect(first?.status).toBe(status);
    if (status === "failed") expect(first?.error?.code).toBe("limit_exceeded");
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ failedRows: failed * 2, completedRows: 2 - failed * 2 });
  });
});

describe("unstorable results", () => {
  test("a result the store rejects fails the attempt; on the last attempt a bare failed result is counted", async () => {
    const h = makeHarness();
    const job = await newJob(h, 1, 1);
    await h.handlers.startJob(owner, job.id);
    const run = h.store.runTransaction.bind(h.store);
    // The store refuses any result that carries outputs (as Firestore would refuse bad data).
    h.store.runTransaction = (fn, opts) =>
      run(
        (tx) =>
          fn({
            ...tx,
            get: (p) => tx.get(p),
            getAll: (ps) => tx.getAll(ps),
            query: (c, q) => tx.query(c, q),
            set: (p, d, o) => tx.set(p, d, o),
            update: (p, d) => tx.update(p, d),
            delete: (p) => tx.delete(p),
            create: (p, d) => {
              if (p.includes("/results/") && Object.keys(d.outputs as object).length > 0) throw new Error("rejected");
              tx.create(p, d);
            },
          }),
        opts,
      );
    const t = h.queue.take();
    if (!t) throw new Error("no task");
    await expect(h.handlers.runRowTask(t.payload, ctxFor(t.id, 0, 3))).rejects.toThrow("rejected");
    await h.handlers.runRowTask(t.payload, ctxFor(t.id, 2, 3));
    const [result] = (await h.handlers.listResults(owner, job.id)).results;
    expect(result).toMatchObject({ status: "failed", outputs: {}, error: { code: "internal" } });
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "failed", failedRows: 1 });
  });
});

describe("media outputs", () => {
  /*   topic ──▶ picture (image) ──▶ image (output)   */
  const IMAGE_FLOW = {
    nodes: [
      { id: "topic", type: "input", data: { column: "topic" } },
      { id: "picture", type: "image", data: { prompt: "A picture of {{topic}}" } },
      { id: "image", type: "output", data: { name: "image" } },
    ],
    edges: [
      { source: "topic", target: "picture" },
      { source: "picture", target: "image" },
    ],
  };

  test("media bytes go to the blob store under the job's media path; the result keeps a reference", async () => {
    const h = makeHarness();
    const job = await h.handlers.createJob({ ownerId: "u1", flow: IMAGE_FLOW, columns: ["topic"], rows: [{ topic: "a cat" }], concurrency: 1, start: true });
    await h.drain();
    const [result] = (await h.handlers.listResults(owner, job.id)).results;
    const out = result?.outputs.image;
    if (out?.kind !== "mediaRef") throw new Error(`expected a media reference, got ${JSON.stringify(out)}`);
    expect(out.mimeType).toBe("image/png");
    expect(out.ref).toContain(`batch_jobs/${job.id}/media/000000/picture.png`);
    expect(h.blobs.puts).toBe(1);
    expect(result?.nodeOutputs.picture).toEqual(out); // stored once, referenced twice
    const blob = await h.blobs.get(out.ref);
    expect(blob?.data.length).toBe(out.bytes);
    expect(JSON.stringify(result)).not.toContain('"data"');
    let csv = "";
    for await (const chunk of exportRows(deps(h), job.id, "csv")) csv += chunk;
    expect(csv).toContain(out.ref);
  });
});

function deps(h: Harness) {
  return {
    store: h.store,
    queue: h.queue,
    blobs: h.blobs,
    ai: new OfflineAiService(),
    clock: h.clock,
    ids: { newId: () => "unused" },
    logger: silentLogger,
    limits: DEFAULT_LIMITS,
  };
}

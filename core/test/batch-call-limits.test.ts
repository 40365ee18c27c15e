/**
 * Per-job call limits (`callLimits` on create) over the real handlers, queue and governor in
 * virtual time: a batch whose rows have a fast text step and a slow video step, with video capped
 * at 1 call at once, runs one video call at a time while the text steps of the rows in flight go
 * ahead, and every row still succeeds (rows waiting for the video slot are handed back to the
 * queue, not failed).
 */
import type { BatchTask } from "../src/batch/api";
import { createBatchHandlers } from "../src/batch/handlers";
import { DEFAULT_LIMITS } from "../src/batch/limits";
import { resultsPath, RowResult } from "../src/batch/model";
import { ValidationError } from "../src/errors";
import { ManualClock } from "../src/testing/manual-clock";
import { MemoryBlobStore } from "../src/testing/memory-blob-store";
import { MemoryStore } from "../src/testing/memory-store";
import { MemoryTaskQueue } from "../src/testing/memory-task-queue";
import { MemoryGovernor } from "../src/governor/memory-governor";
import type { JobCallLimits } from "../src/governor/port";
import { silentLogger } from "../src/logger";
import { ScriptedAi } from "./support/scripted-ai";

const VIDEO_MS = 60_000;
const TEXT_MS = 1_000;
//        ┌─▶ caption (text)  ─▶ Caption
// topic ─┤
//        └─▶ clip (video, slow) ─▶ Clip
const FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "caption", type: "text", data: { prompt: "caption {{topic}}" } },
    { id: "clip", type: "video", data: { prompt: "clip {{topic}}" } },
    { id: "Caption", type: "output", data: { name: "caption" } },
    { id: "Clip", type: "output", data: { name: "clip" } },
  ],
  edges: [
    { source: "topic", target: "caption" },
    { source: "topic", target: "clip" },
    { source: "caption", target: "Caption" },
    { source: "clip", target: "Clip" },
  ],
};

function setUp() {
  const clock = new ManualClock(1_700_000_000_000);
  /** `start text`, `end video`, … in the order they happened. */
  const log: string[] = [];
  const ai = new ScriptedAi(async (call) => {
    log.push(`start ${call.kind}`);
    await clock.sleep(call.kind === "video" ? VIDEO_MS : TEXT_MS);
    log.push(`end ${call.kind}`);
    return undefined;
  });
  const store = new MemoryStore({ clock });
  let handlers: ReturnType<typeof createBatchHandlers> | null = null;
  const queue = new MemoryTaskQueue<BatchTask>({
    handler: (task, ctx) => handlers!.runRowTask(task, ctx),
    clock,
    // Rows waiting for the video slot are re-enqueued many times: a budget they cannot exhaust here.
    retry: { maxAttempts: 200, minBackoffMs: 1_000, maxBackoffMs: 10_000, maxDoublings: 3 },
    limits: { maxConcurrentDispatches: 100, maxDispatchesPerSecond: 100 },
  });
  let n = 0;
  handlers = createBatchHandlers({
    store,
    queue,
    blobs: new MemoryBlobStore(),
    ai,
    clock,
    ids: { newId: () => `job${++n}` },
    logger: silentLogger,
    limits: DEFAULT_LIMITS,
    engine: { nodeRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, governor: new MemoryGovernor({ clock }) },
  });
  /** Runs the queue dry, moving virtual time (the AI's calls sleep on the clock too). */
  const drain = async (): Promise<void> => {
    for (let steps = 0; !queue.isIdle(); steps++) {
      if (steps > 100_000) throw new Error("the batch did not finish");
      await clock.runUntilIdle({ until: clock.now() + 1_000 });
    }
  };
  return { clock, store, queue, handlers, ai, log, drain };
}

/** Most calls of `kind` in flight at once. */
function maxOpen(log: string[], kind: string): number {
  let open = 0;
  let max = 0;
  for (const e of log) {
    if (e === `start ${kind}`) max = Math.max(max, ++open);
    if (e === `end ${kind}`) open--;
  }
  return max;
}

async function runBatch(rows: number, concurrency: number, callLimits?: JobCallLimits) {
  const s = setUp();
  const topics = Array.from({ length: rows }, (_, i) => ({ topic: `t${i}` }));
  const job = await s.handlers.createJob({
    ownerId: "u",
    flow: FLOW,
    columns: ["topic"],
    rows: topics,
    concurrency,
    start: true,
    ...(callLimits ? { callLimits } : {}),
  });
  await s.drain();
  const results = (await s.store.query(resultsPath(job.id))).map((d) => RowResult.parse(d.data));
  return { ...s, job, results };
}

describe("per-job call limits by step type", () => {
  it("caps video at 1 call at once while the text steps of the rows in flight proceed; every row succeeds", async () => {
    const { job, results, ai, log, handlers } = await runBatch(6, 3, { byKind: { video: 1, text: 10 } });
    expect(job.callLimits).toEqual({ byKind: { video: 1, text: 10 } });
    expect((await handlers.getJob({ ownerId: "u" }, job.id)).callLimits).toEqual({ byKind: { video: 1, text: 10 } });
    expect(results).toHaveLength(6);
    expect(results.every((r) => r.status === "succeeded")).toBe(true);
    expect(maxOpen(log, "video")).toBe(1);
    // A row waiting for the slot made no call: exactly one video call per row.
    expect(ai.calls.filter((c) => c.kind === "video")).toHaveLength(6);
    // Before the first (slow) video call ended, the text step of every row in flight had run.
    const firstVideoEnd = log.indexOf("end video");
    expect(log.slice(0, firstVideoEnd).filter((e) => e === "end text")).toHaveLength(3);
  });

  it("without call limits the same batch runs a video call in every lane at once", async () => {
    const { results, log } = await runBatch(6, 3);
    expect(results.every((r) => r.status === "succeeded")).toBe(true);
    expect(maxOpen(log, "video")).toBe(3);
  });

  it("applies a per-model cap the same way", async () => {
    const s = setUp();
    const flow = { ...FLOW, nodes: FLOW.nodes.map((n) => (n.id === "caption" ? { ...n, data: { ...n.data, model: "gemini-2.5-pro" } } : n)) };
    const rows = Array.from({ length: 4 }, (_, i) => ({ topic: `t${i}` }));
    await s.handlers.createJob({ ownerId: "u", flow, columns: ["topic"], rows, concurrency: 4, start: true, callLimits: { byModel: { "gemini-2.5-pro": 1 } } });
    await s.drain();
    expect(maxOpen(s.log, "text")).toBe(1);
    expect(maxOpen(s.log, "video")).toBe(4);
  });

  it("refuses malformed limits with the path of each problem, writing nothing", async () => {
    const s = setUp();
    const bad = { byKind: { video: 0, audio: 2, text: 1.5 }, byModel: { "": 3 } } as unknown as JobCallLimits;
    const err = await s.handlers.createJob({ ownerId: "u", flow: FLOW, columns: ["topic"], rows: [{ topic: "a" }], callLimits: bad }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    const details = (err as ValidationError).details ?? [];
    expect(details).toEqual(
      expect.arrayContaining([
        { path: "callLimits.byKind.video", message: "must be at least 1" },
        { path: "callLimits.byKind.text", message: "must be a whole number" },
        { path: "callLimits.byKind", message: 'unknown step type "audio": use text, image or video' },
        expect.objectContaining({ path: "callLimits.byModel." }),
      ]),
    );
    expect(await s.handlers.listJobs({ ownerId: "u" })).toEqual([]);
  });
});

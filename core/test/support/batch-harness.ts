/**
 * A hand-cranked batch deployment for handler tests: the real handlers over MemoryStore, a queue
 * that only RECORDS tasks (tests deliver them, duplicate them or reorder them explicitly), result
 * triggers collected for explicit delivery, and the offline AI with zero latency.
 */
import { OfflineAiService } from "../../src/ai/offline";
import type { AiService, TextRequest } from "../../src/ai/port";
import type { BatchDeps, BatchHandlers, RowTask } from "../../src/batch/api";
import { createBatchHandlers } from "../../src/batch/handlers";
import { DEFAULT_LIMITS, type BatchLimits } from "../../src/batch/limits";
import { ManualClock } from "../../src/testing/manual-clock";
import { MemoryBlobStore } from "../../src/testing/memory-blob-store";
import { MemoryStore } from "../../src/testing/memory-store";
import { silentLogger } from "../../src/logger";
import type { Doc } from "../../src/ports/store";
import { Lane, lanePath } from "../../src/batch/state";
import type { TaskContext, TaskQueue } from "../../src/ports/task-queue";

export class RecordingQueue implements TaskQueue<RowTask> {
  readonly all = new Map<string, RowTask>();
  /** Ids enqueued and not yet taken by `take`. */
  pending: string[] = [];
  async enqueue(task: { id: string; payload: RowTask }): Promise<"enqueued" | "exists"> {
    if (this.all.has(task.id)) return "exists";
    this.all.set(task.id, task.payload);
    this.pending.push(task.id);
    return "enqueued";
  }
  async delete(id: string): Promise<void> {
    this.pending = this.pending.filter((p) => p !== id);
  }
  take(): { id: string; payload: RowTask } | null {
    const id = this.pending.shift();
    if (id === undefined) return null;
    return { id, payload: this.all.get(id) as RowTask };
  }
}

export const ctxFor = (id: string, retryCount = 0, maxAttempts = 3): TaskContext => ({
  taskId: id,
  retryCount,
  isLastAttempt: retryCount >= maxAttempts - 1,
});

export interface Harness {
  deps: BatchDeps;
  clock: ManualClock;
  store: MemoryStore;
  queue: RecordingQueue;
  blobs: MemoryBlobStore;
  handlers: BatchHandlers;
  created: Doc[];
  started: { rowIndex: number; pass: number; attempt: number }[];
  counted: { rowIndex: number; pass: number; status: string }[];
  finished: { jobId: string; status: string }[];
  /** Delivers queued tasks (retrying throwers up to maxAttempts) and result triggers until idle. */
  drain(opts?: { maxAttempts?: number }): Promise<void>;
}

export function makeHarness(opts: { ai?: AiService; limits?: Partial<BatchLimits>; nodeAttempts?: number } = {}): Harness {
  const clock = new ManualClock(1_700_000_000_000);
  const created: Doc[] = [];
  const store = new MemoryStore({ clock, recordWrites: true, onCreate: (d) => created.push(d) });
  const queue = new RecordingQueue();
  const blobs = new MemoryBlobStore();
  const started: Harness["started"] = [];
  const counted: Harness["counted"] = [];
  const finished: Harness["finished"] = [];
  let n = 0;
  const deps: BatchDeps = {
    store,
    queue,
    blobs,
    ai: opts.ai ?? new OfflineAiService({ latencyMs: 0, clock }),
    clock,
    ids: { newId: () => `job${++n}` },
    logger: silentLogger,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    // In-process node retries wait on the (manual) clock: tests that need them advance it.
    engine: { nodeRetry: { maxAttempts: opts.nodeAttempts ?? 1, baseDelayMs: 100, maxDelayMs: 1_000 } },
    observer: {
      rowStarted: (e) => started.push({ rowIndex: e.rowIndex, pass: e.pass, attempt: e.attempt }),
      rowCounted: (e) => counted.push(e),
      jobFinished: (e) => finished.push(e),
    },
  };
  const handlers = createBatchHandlers(deps);
  let triggered = 0;
  const drain = async (o: { maxAttempts?: number } = {}): Promise<void> => {
    const attempts = new Map<string, number>();
    for (;;) {
      const next = queue.take();
      if (next) {
        const attempt = attempts.get(next.id) ?? 0;
        try {
          await handlers.runRowTask(next.payload, ctxFor(next.id, attempt, o.maxAttempts ?? 3));
        } catch {
          attempts.set(next.id, attempt + 1);
          queue.pending.push(next.id);
        }
        continue;
      }
      if (triggered < created.length) {
        const doc = created[triggered++] as Doc;
        if (doc.path.includes("/results/")) await handlers.onResultCreated(doc);
        if (doc.path.includes("/webhook_events/")) await handlers.onWebhookEventCreated(doc);
        continue;
      }
      return;
    }
  };
  return { deps, clock, store, queue, blobs, handlers, created, started, counted, finished, drain };
}

/**
 *   topic ──▶ draft ──▶ polish ──▶ result
 *   note  ─────────────▲
 * (a marker in `note` hits only `polish`, so a failure there leaves `draft` as the resume point)
 */
export const TWO_STEP_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "note", type: "input", data: { column: "note" } },
    { id: "draft", type: "text", data: { prompt: "Draft about {{topic}}" } },
    { id: "polish", type: "text", data: { prompt: "Polish {{draft}} {{note}}" } },
    { id: "result", type: "output", data: { name: "result" } },
  ],
  edges: [
    { source: "topic", target: "draft" },
    { source: "draft", target: "polish" },
    { source: "note", target: "polish" },
    { source: "polish", target: "result" },
  ],
};

export const COLUMNS = ["topic", "note"];
export const rowsOf = (n: number, note: (i: number) => string = () => ""): Record<string, string>[] =>
  Array.from({ length: n }, (_, i) => ({ topic: `topic ${i}`, note: note(i) }));

/** Runs the next queued task by hand, with the given task context (default: a first delivery). */
export async function deliverOne(h: Harness, tctx: (id: string) => TaskContext = (id) => ctxFor(id)): Promise<void> {
  const t = h.queue.take();
  if (!t) throw new Error("no task queued");
  await h.handlers.runRowTask(t.payload, tctx(t.id));
}

/** The stored lane `index` of a job, parsed. */
export async function laneOf(h: Harness, jobId: string, index: number): Promise<Lane> {
  const doc = await h.store.get(lanePath(jobId, index));
  if (!doc) throw new Error("no lane");
  return Lane.parse(doc.data);
}

/** The offline AI with a hook run once, inside the first call whose prompt contains `marker`. */
export class HookedAi implements AiService {
  readonly name = "hooked";
  private readonly inner: OfflineAiService;
  constructor(
    clock: ManualClock,
    private readonly marker: string,
    private hook: (() => Promise<void>) | null,
    private readonly armed: () => boolean = () => true,
  ) {
    this.inner = new OfflineAiService({ latencyMs: 0, clock });
  }
  async generateText(req: TextRequest) {
    const hook = this.hook;
    if (hook && req.prompt.includes(this.marker) && this.armed()) {
      this.hook = null;
      await hook();
    }
    return this.inner.generateText(req);
  }
  generateImage = (req: Parameters<AiService["generateImage"]>[0]) => this.inner.generateImage(req);
  generateVideo = (req: Parameters<AiService["generateVideo"]>[0]) => this.inner.generateVideo(req);
}

/**
 * Drives the REAL exported functions (wrapped by firebase-functions-test in offline mode) over
 * in-memory ports installed through the deps seam: enqueued row tasks go to `runBatchRow.run(req)`,
 * created `results/{rowId}`, `webhook_events/{key}` and `batch_jobs/{jobId}` docs go to the wrapped Firestore triggers, as
 * the platform would deliver them (asynchronously, concurrently, at least once). With `economy`,
 * the deps follow production's ECONOMY_BATCH_JOBS rule (runtime/economy-deps.ts): the row task
 * function gets the provider's batch jobs, the callables and triggers an economy driver without
 * them. With `holdDelayed`, tasks enqueued with a delay wait for `releaseDelayed()`, so a test
 * moves a fake provider clock between polls as Cloud Tasks' `scheduleDelaySeconds` would.
 */
import { HttpsError } from "firebase-functions/v2/https";
import firebaseFunctionsTest from "firebase-functions-test";
import {
  DEFAULT_LIMITS,
  DEFAULT_QUOTA_LIMITS,
  createBatchHandlers,
  createUserQuota,
  jsonLogger,
  silentLogger,
  randomIds,
  systemClock,
  type AiService,
  type BatchLimits,
  type BatchHandlers,
  type Doc,
  type EconomyDeps,
  type DocumentStore,
  type Logger,
  type QuotaLimits,
  type RowTask,
  type TaskQueue,
} from "@flowcraft/core";
import { MemoryBlobStore, MemoryStore } from "@flowcraft/core/testing";
import * as fns from "../../src/index";
import { setDepsFactory, type MediaSigner } from "../../src/runtime/deps";
import { economyDepsFor } from "../../src/runtime/economy-deps";
import type { UploadReader } from "../../src/adapters/storage-uploads";

export const fft = firebaseFunctionsTest();

export interface QueuedTask {
  id: string;
  payload: RowTask;
  /** The delay asked for (FirebaseTaskQueue sends it as `scheduleDelaySeconds`). */
  delayMs?: number;
}

/** Cloud Tasks as the functions see it: ids deduplicate ("exists"), payloads and delays recorded. */
export class RecordingQueue implements TaskQueue<RowTask> {
  readonly seen = new Set<string>();
  readonly enqueued: QueuedTask[] = [];
  onEnqueue: (t: QueuedTask) => void = () => {};
  /** Enqueues to fail (as if the process died before Cloud Tasks answered). */
  failNext = 0;

  async enqueue(task: { id: string; payload: RowTask; delayMs?: number }): Promise<"enqueued" | "exists"> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("simulated crash before the enqueue");
    }
    if (this.seen.has(task.id)) return "exists";
    this.seen.add(task.id);
    const queued: QueuedTask = { id: task.id, payload: structuredClone(task.payload) };
    if (task.delayMs !== undefined) queued.delayMs = task.delayMs;
    this.enqueued.push(queued);
    this.onEnqueue(queued);
    return "enqueued";
  }
  async delete(): Promise<void> {}

  /** The row tasks among the enqueued ones (a retry or a throttled result also asks for a roll-up task). */
  get rowTasks(): QueuedTask[] {
    return this.enqueued.filter((t) => (t.payload as { kind?: string }).kind !== "rollup");
  }
}

export interface HarnessOptions {
  ai: AiService;
  limits?: Partial<BatchLimits>;
  /** CSV uploads createBatch {uploadPath} reads (absent: none). */
  uploads?: UploadReader;
  /** Logger the functions see (default: silent, or JSON logs with FLOWCRAFT_TEST_LOGS). */
  logger?: Logger;
  /** Per-user quotas (default: the production defaults). */
  quota?: Partial<QuotaLimits>;
  /** Deliver tasks and trigger events as they appear (default true). */
  autoDeliver?: boolean;
  /** Deliver every task and trigger event twice (at-least-once duplicates). */
  duplicate?: boolean;
  /** Keep the store's write log (cost breakdowns). */
  recordWrites?: boolean;
  /** Wraps the store the functions see (e.g. to count reads). */
  wrapStore?: (store: MemoryStore) => DocumentStore;
  /** In-process node retry of the engine (default: the engine's own). */
  nodeRetry?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Signs media links for the signMediaLinks callable. */
  mediaSigner?: MediaSigner;
  /** ECONOMY_BATCH_JOBS and AI_PROVIDER as the functions read them (absent: the param's default, off). */
  economy?: { enabled: boolean; provider?: string; settings?: Omit<EconomyDeps, "batches"> };
  /** Keep tasks enqueued with a delay in `delayed` until `releaseDelayed()` (default: deliver at once). */
  holdDelayed?: boolean;
}

export class Harness {
  readonly queue = new RecordingQueue();
  readonly store: MemoryStore;
  readonly blobs = new MemoryBlobStore();
  readonly errors: unknown[] = [];
  /** Task deliveries that threw (Cloud Tasks would retry them), in order. */
  readonly failedTasks: QueuedTask[] = [];
  /** Tasks enqueued with a delay, held until `releaseDelayed()` (with `holdDelayed`). */
  delayed: QueuedTask[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  /** Deploys again with other economy params (new function instances: fresh deps, same store and queue). */
  readonly redeploy: (economy: HarnessOptions["economy"]) => void;

  readonly createBatch = fft.wrap(fns.createBatch);
  readonly startBatch = fft.wrap(fns.startBatch);
  readonly cancelBatch = fft.wrap(fns.cancelBatch);
  readonly pauseBatch = fft.wrap(fns.pauseBatch);
  readonly resumeBatch = fft.wrap(fns.resumeBatch);
  readonly setBatchConcurrency = fft.wrap(fns.setBatchConcurrency);
  readonly retryFailedRows = fft.wrap(fns.retryFailedRows);
  readonly listBatchRows = fft.wrap(fns.listBatchRows);
  readonly deleteBatch = fft.wrap(fns.deleteBatch);
  readonly getWebhookSecret = fft.wrap(fns.getWebhookSecret);
  readonly rotateWebhookSecret = fft.wrap(fns.rotateWebhookSecret);
  readonly rerunRows = fft.wrap(fns.rerunRows);
  readonly previewFlow = fft.wrap(fns.previewFlow);
  readonly estimateBatch = fft.wrap(fns.estimateBatch);
  readonly generateText = fft.wrap(fns.generateText);
  readonly generateImage = fft.wrap(fns.generateImage);
  private readonly resultCreated = fft.wrap(fns.onBatchResultCreated);
  private readonly jobCreated = fft.wrap(fns.onBatchJobCreated);
  private readonly webhookEventCreated = fft.wrap(fns.onWebhookEventCreated);

  constructor(private readonly opts: HarnessOptions) {
    const auto = opts.autoDeliver ?? true;
    this.store = new MemoryStore({ recordWrites: opts.recordWrites, onCreate: (doc) => auto && this.onDocCreated(doc) });
    if (auto) {
      this.queue.onEnqueue = (t) => {
        if (opts.holdDelayed && (t.delayMs ?? 0) > 0) this.delayed.push(t);
        else this.track(this.deliverQueued(t));
      };
    }
    const logger = opts.logger ?? (process.env.FLOWCRAFT_TEST_LOGS ? jsonLogger("debug") : silentLogger);
    const seen = opts.wrapStore ? opts.wrapStore(this.store) : this.store;
    // One set of handlers per function kind, as production builds deps per `withAi`.
    const handlersFor = (withAi: boolean, economy = opts.economy): BatchHandlers =>
      createBatchHandlers({
        store: seen,
        queue: this.queue,
        blobs: this.blobs,
        ai: opts.ai,
        clock: systemClock,
        ids: randomIds(),
        logger,
        limits: { ...DEFAULT_LIMITS, ...opts.limits },
        webhooks: { allowLoopback: true },
        ...(opts.nodeRetry ? { engine: { nodeRetry: opts.nodeRetry } } : {}),
        ...(economy
          ? economyDepsFor({
              enabled: economy.enabled,
              provider: economy.provider ?? "offline",
              batches: withAi ? opts.ai.batches : undefined,
              ...(economy.settings ? { settings: economy.settings } : {}),
            })
          : {}),
      });
    let handlers = new Map([true, false].map((withAi) => [withAi, handlersFor(withAi)]));
    this.redeploy = (economy) => {
      handlers = new Map([true, false].map((withAi) => [withAi, handlersFor(withAi, economy)]));
      setDepsFactory(factory);
    };
    const quota = createUserQuota({ store: seen, clock: systemClock, limits: { ...DEFAULT_QUOTA_LIMITS, ...opts.quota } });
    const signer = opts.mediaSigner ? { mediaSigner: opts.mediaSigner } : {};
    const factory = (req: { withAi: boolean }) => ({
      handlers: handlers.get(req.withAi) as BatchHandlers,
      ai: opts.ai,
      store: seen,
      logger,
      clock: systemClock,
      quota,
      ...signer,
      ...(opts.uploads ? { uploads: opts.uploads } : {}),
    });
    setDepsFactory(factory);
  }

  /** Runs one delivery of a task through the exported task function. */
  async deliverTask(t: QueuedTask, retryCount = 0): Promise<void> {
    const times = this.opts.duplicate ? 2 : 1;
    await Promise.all(
      Array.from({ length: times }, async () =>
        fns.runBatchRow.run({
          data: t.payload,
          id: t.id,
          queueName: "runBatchRow",
          retryCount,
          executionCount: retryCount,
          scheduledTime: new Date().toISOString(),
        }),
      ),
    );
  }

  /** A queued task's delivery; one that throws is kept in `failedTasks`. */
  private async deliverQueued(t: QueuedTask): Promise<void> {
    try {
      await this.deliverTask(t);
    } catch (err) {
      this.failedTasks.push(t);
      throw err;
    }
  }

  /** Delivers a created-document event to the matching wrapped trigger. */
  async deliverCreated(doc: Doc): Promise<void> {
    const parts = doc.path.split("/");
    const snapshot = fft.firestore.makeDocumentSnapshot(doc.data, doc.path);
    const times = this.opts.duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      if (parts.length === 2 && parts[0] === "batch_jobs") {
        await this.jobCreated({ data: snapshot, params: { jobId: parts[1] } });
      } else if (parts.length === 4 && parts[0] === "batch_jobs" && parts[2] === "results") {
        await this.resultCreated({ data: snapshot, params: { jobId: parts[1], rowId: parts[3] } });
      } else if (parts.length === 4 && parts[0] === "batch_jobs" && parts[2] === "webhook_events") {
        await this.webhookEventCreated({ data: snapshot, params: { jobId: parts[1], eventKey: parts[3] } });
      }
    }
  }

  private onDocCreated(doc: Doc): void {
    this.track(this.deliverCreated(doc));
  }

  private track(p: Promise<unknown>): void {
    const wrapped = p.catch((err: unknown) => {
      this.errors.push(err);
    });
    this.inflight.add(wrapped);
    void wrapped.finally(() => this.inflight.delete(wrapped));
  }

  /** Delivers the held delayed tasks (after `before`, e.g. moving a provider clock); returns how many. */
  async releaseDelayed(before?: (tasks: QueuedTask[]) => void | Promise<void>): Promise<number> {
    const tasks = this.delayed;
    this.delayed = [];
    if (tasks.length === 0) return 0;
    await before?.(tasks);
    for (const t of tasks) this.track(this.deliverQueued(t));
    return tasks.length;
  }

  /** Waits until no delivery is running and none was started meanwhile. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }
}

/** input column `topic` → text node → output `summary`. */
export function textFlow(prompt = "Summarize {{topic}}"): unknown {
  return {
    nodes: [
      { id: "topic", type: "input", data: { column: "topic" } },
      { id: "gen", type: "text", data: { model: "gemini-2.5-flash", prompt } },
      { id: "out", type: "output", data: { name: "summary" } },
    ],
    edges: [
      { source: "topic", target: "gen" },
      { source: "gen", target: "out" },
    ],
  };
}

export const auth = (uid: string) => ({ uid, token: { uid } as never, rawToken: "test-token" });

/** Awaits `p` and returns the HttpsError it throws (fails the test when it resolves). */
export async function httpsErrorOf(p: Promise<unknown>): Promise<HttpsError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HttpsError);
    return err as HttpsError;
  }
  throw new Error("expected the call to fail");
}

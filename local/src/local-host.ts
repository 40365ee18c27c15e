/**
 * The local host: one process, one data directory. Wires the SQLite store, durable task queue,
 * outbox and disk blob store to the core batch handlers exactly as the Firebase functions do:
 *   queue delivery            → handlers.runRowTask
 *   results/{rowId} created   → handlers.onResultCreated (outbox, at least once)
 *   webhook_events/{key} created → handlers.onWebhookEventCreated (same outbox)
 *   start-up and every ~30 s  → handlers.reconcile
 * plus a live event bus for SSE. `close()` stops delivery and closes the database; work in flight
 * at that moment is delivered again on the next start.
 */
import {
  DEFAULT_LIMITS,
  createBatchHandlers,
  silentLogger,
  systemClock,
  type AiService,
  type BatchDeps,
  type BatchHandlers,
  type BatchLimits,
  randomIds,
  type Ids,
  type LimitsTable,
  type StateOptions,
  type Logger,
  type QueueLimits,
  type RetryPolicy,
  type BatchTask,
  type EconomyDeps,
} from "@flowcraft/core";
import type { DiskBlobStore } from "./disk-blob-store";
import { BatchEventBus } from "./event-bus";
import { openLocalStorage } from "./local-storage";
import { errorFields } from "./log-error";
import { OutboxPump } from "./sqlite/outbox";
import { SqliteGovernor } from "./sqlite/sqlite-governor";
import type { SqliteStore } from "./sqlite/sqlite-store";
import type { SqliteTaskQueue } from "./sqlite/sqlite-task-queue";

export interface LocalHostOptions {
  dataDir: string;
  ai: AiService;
  /**
   * Economy batches: poll and deadline settings of the provider batch jobs (the provider's own,
   * `ai.batches`), or `false` to run economy batches' rows realtime. Default: on when the provider
   * has batch jobs; polls start after 1 s for the offline provider (longest wait 5 s), 30 s for a
   * real one (10 min). A first wait given alone raises the longest to at least it. The CLI fills
   * the poll settings from FLOWCRAFT_ECONOMY_POLL_MS / FLOWCRAFT_ECONOMY_MAX_POLL_MS.
   */
  economy?: Omit<EconomyDeps, "batches"> | false;
  limits?: Partial<BatchLimits>;
  logger?: Logger;
  queueLimits?: QueueLimits;
  retry?: RetryPolicy;
  /** How often reconcile re-drives stuck work (default 30 s). */
  reconcileIntervalMs?: number;
  /** Minimum ms between progress roll-ups into a job document (default 250: SQLite has no hot-doc limit). */
  rollUpIntervalMs?: number;
  /** Join each event-loop turn's writes into one SQLite commit (default true; see group-commit.ts). */
  groupCommit?: boolean;
  /**
   * Per-model AI limits shared by every batch of this process: `defaults` (none unless given; the
   * CLI passes the Gemini defaults for the gemini provider), then what was persisted, then
   * `overrides` (flags).
   */
  modelLimits?: { defaults?: LimitsTable; overrides?: LimitsTable };
  /** The governor's burst and adaptive back-off policy (default DEFAULT_STATE_OPTIONS; benches scale it with time). */
  governorState?: Partial<StateOptions>;
  /**
   * Delete finished batches `retentionDays` days after they finished: checked at start-up and
   * every `retentionIntervalMs` (default daily). Absent = keep them; interrupted deletes are
   * completed at start-up either way.
   */
  retentionDays?: number;
  retentionIntervalMs?: number;
}

export interface LocalHost {
  handlers: BatchHandlers;
  deps: BatchDeps;
  store: SqliteStore;
  queue: SqliteTaskQueue<BatchTask>;
  blobs: DiskBlobStore;
  /** The AI-call governor every batch of this host goes through. */
  governor: SqliteGovernor;
  events: BatchEventBus;
  ai: AiService;
  limits: BatchLimits;
  dataDir: string;
  /** Makes every write so far durable (before acknowledging a change to a client). */
  flush(): void;
  close(): Promise<void>;
}

const RESULT_PATH = /^batch_jobs\/[^/]+\/results\/[^/]+$/;
const WEBHOOK_EVENT_PATH = /^batch_jobs\/[^/]+\/webhook_events\/[^/]+$/;
const TRIGGERED = (path: string): boolean => RESULT_PATH.test(path) || WEBHOOK_EVENT_PATH.test(path);

/** The only owner of local jobs (the local host has no accounts). */
export const LOCAL_OWNER = { ownerId: "local" };

/**
 * Task retries for rows (the row runner records a failure on the last attempt). Backoff 0.5, 1, 2
 * ... 64 s, then 2 min: a row survives about 8 minutes of rate limiting or outage before it fails.
 */
export const LOCAL_RETRY: RetryPolicy = { maxAttempts: 12, minBackoffMs: 500, maxBackoffMs: 120_000, maxDoublings: 8 };

/** Job and record ids: core's random base62 source, as on Firebase. */
const ids: Ids = randomIds();

/** The economy driver's deps: the provider's batch jobs, polled from delayed tasks of this host's queue. */
function economyFor(opts: LocalHostOptions, startedAt: number): { economy?: EconomyDeps } {
  const batches = opts.ai.batches;
  if (!batches || opts.economy === false) return {};
  const defaults =
    batches.provider === "offline" ? { pollIntervalMs: 1_000, maxPollIntervalMs: 5_000 } : { pollIntervalMs: 30_000, maxPollIntervalMs: 600_000 };
  const given = opts.economy ?? {};
  // A first wait given without a longest one is not cut down to the default longest wait.
  const maxPollIntervalMs = given.maxPollIntervalMs ?? Math.max(given.pollIntervalMs ?? 0, defaults.maxPollIntervalMs);
  // One process per data directory (owner-lock.ts): a submit lease from before this start is a dead process's.
  return { economy: { batches, ...defaults, ...given, maxPollIntervalMs, staleLeasesBefore: startedAt } };
}

export function createLocalHost(opts: LocalHostOptions): LocalHost {
  const logger = opts.logger ?? silentLogger;
  const startedAt = systemClock.now();
  const storage = openLocalStorage({
    dataDir: opts.dataDir,
    logger,
    retry: opts.retry ?? LOCAL_RETRY,
    groupCommit: opts.groupCommit !== false,
    ...(opts.queueLimits ? { queueLimits: opts.queueLimits } : {}),
  });
  const { db, store, queue, blobs, beforeWrite } = storage;
  const limits: BatchLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const rollUpIntervalMs = opts.rollUpIntervalMs ?? 250;
  const governor = new SqliteGovernor({
    db,
    beforeWrite,
    clock: systemClock,
    defaults: opts.modelLimits?.defaults ?? {},
    ...(opts.modelLimits?.overrides ? { overrides: opts.modelLimits.overrides } : {}),
    ...(opts.governorState ? { stateOptions: opts.governorState } : {}),
  });
  const engine = { governor };
  // Row and roll-up task ids hold `-{jobId}-p` (task-ids.ts, roll-up.ts): a deleted batch's ids.
  const purgeHostRecords = async (jobId: string): Promise<void> => queue.forget(`-${jobId}-p`);
  const deps: BatchDeps = {
    store,
    queue,
    blobs,
    ai: opts.ai,
    clock: systemClock,
    ids,
    logger,
    limits,
    rollUpIntervalMs,
    engine,
    purgeHostRecords,
    // One machine: a receiver on 127.0.0.1 is the usual local webhook.
    webhooks: { allowLoopback: true },
    ...economyFor(opts, startedAt),
  };
  const handlers = createBatchHandlers(deps);
  const outbox = new OutboxPump({
    db,
    logger,
    beforeWrite,
    deliver: (doc) => (WEBHOOK_EVENT_PATH.test(doc.path) ? handlers.onWebhookEventCreated(doc) : handlers.onResultCreated(doc)),
  });
  const unsubscribeOutbox = store.onCommit((changes) => {
    if (changes.some((c) => c.created && TRIGGERED(c.path))) outbox.wake();
  });
  const events = new BatchEventBus(store);
  queue.start((task, ctx) => handlers.runRowTask(task, ctx));
  outbox.wake();
  const stopReconcile = startReconcile(handlers, logger, opts.reconcileIntervalMs ?? 30_000);
  const stopRetention = startRetention(handlers, logger, opts.retentionDays, opts.retentionIntervalMs ?? 86_400_000);

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      stopReconcile();
      stopRetention();
      events.close();
      await queue.stop();
      await outbox.stop();
      unsubscribeOutbox();
      governor.close();
      await storage.close();
    })());
  return { handlers, deps, store, queue, blobs, governor, events, ai: opts.ai, limits, dataDir: opts.dataDir, flush: () => storage.flush(), close };
}

/** Completes interrupted deletes now; with a retention, deletes expired batches now and every `intervalMs`. */
function startRetention(handlers: BatchHandlers, logger: Logger, retentionDays: number | undefined, intervalMs: number): () => void {
  const sweep = (): void => {
    handlers
      .purgeExpired(retentionDays === undefined ? {} : { retentionDays })
      .catch((err: unknown) => logger.warn(errorFields(err), "retention sweep failed"));
  };
  sweep();
  if (retentionDays === undefined) return () => {};
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Reconcile now and every `intervalMs` (stuck lanes, jobs that should have finalized). */
function startReconcile(handlers: BatchHandlers, logger: Logger, intervalMs: number): () => void {
  const reconcile = (): void => {
    handlers.reconcile().then(
      (r) => (r.redriven > 0 || r.finalized > 0 || r.abandonedCreates > 0) && logger.info(r, "reconciled stuck work"),
      (err: unknown) => logger.warn(errorFields(err), "reconcile failed"),
    );
  };
  reconcile();
  const timer = setInterval(reconcile, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The local host: one process, one data directory. Wires the SQLite store, durable task queue,
 * outbox and disk blob store to the core batch handlers exactly as the Firebase functions do:
 *   queue delivery            → handlers.runRowTask
 *   results/{rowId} created   → handlers.onResultCreated (outbox, at least once)
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
  type Ids,
  type Logger,
  type QueueLimits,
  type RetryPolicy,
  type RowTask,
} from "@flowcraft/core";
import { randomBytes } from "node:crypto";
import { DiskBlobStore } from "./disk-blob-store";
import { BatchEventBus } from "./event-bus";
import { errorFields } from "./log-error";
import { Checkpointer } from "./sqlite/checkpointer";
import { GroupCommit, noGroup } from "./sqlite/group-commit";
import { openDb, type Db } from "./sqlite/open-db";
import { OutboxPump } from "./sqlite/outbox";
import { claimOwnership, releaseOwnership } from "./sqlite/owner-lock";
import { SqliteStore } from "./sqlite/sqlite-store";
import { SqliteTaskQueue } from "./sqlite/sqlite-task-queue";

export interface LocalHostOptions {
  dataDir: string;
  ai: AiService;
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
}

export interface LocalHost {
  handlers: BatchHandlers;
  deps: BatchDeps;
  store: SqliteStore;
  queue: SqliteTaskQueue<RowTask>;
  blobs: DiskBlobStore;
  events: BatchEventBus;
  ai: AiService;
  limits: BatchLimits;
  dataDir: string;
  /** Makes every write so far durable (before acknowledging a change to a client). */
  flush(): void;
  close(): Promise<void>;
}

const RESULT_PATH = /^batch_jobs\/[^/]+\/results\/[^/]+$/;

/** The only owner of local jobs (the local host has no accounts). */
export const LOCAL_OWNER = { ownerId: "local" };

/** Task retries for rows: the row runner records a failure on the last attempt. */
export const LOCAL_RETRY: RetryPolicy = { maxAttempts: 8, minBackoffMs: 500, maxBackoffMs: 60_000, maxDoublings: 5 };

export const randomIds: Ids = {
  newId: () => randomBytes(15).toString("base64url"),
};

export function createLocalHost(opts: LocalHostOptions): LocalHost {
  const logger = opts.logger ?? silentLogger;
  const db: Db = openDb(opts.dataDir);
  claimOwnership(db);
  const grouped = opts.groupCommit !== false;
  const checkpointer = grouped ? new Checkpointer(db) : null;
  const group = new GroupCommit(
    db,
    (err) => logger.error(errorFields(err), "group commit failed"),
    () => checkpointer?.afterCommit(),
  );
  const beforeWrite = grouped ? () => group.begin() : noGroup;
  const store = new SqliteStore(db, { triggers: ["batch_jobs/*/results/*"], beforeWrite });
  const queue = new SqliteTaskQueue<RowTask>({
    db,
    beforeWrite,
    retry: opts.retry ?? LOCAL_RETRY,
    ...(opts.queueLimits ? { limits: opts.queueLimits } : {}),
    logger,
  });
  const blobs = new DiskBlobStore(opts.dataDir);
  const limits: BatchLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const deps: BatchDeps = {
    store,
    queue,
    blobs,
    ai: opts.ai,
    clock: systemClock,
    ids: randomIds,
    logger,
    limits,
    rollUpIntervalMs: opts.rollUpIntervalMs ?? 250,
  };
  const handlers = createBatchHandlers(deps);
  const outbox = new OutboxPump({ db, logger, beforeWrite, deliver: (doc) => handlers.onResultCreated(doc) });
  const unsubscribeOutbox = store.onCommit((changes) => {
    if (changes.some((c) => c.created && RESULT_PATH.test(c.path))) outbox.wake();
  });
  const events = new BatchEventBus(store);

  queue.start((task, ctx) => handlers.runRowTask(task, ctx));
  outbox.wake();
  const reconcile = (): void => {
    handlers.reconcile().then(
      (r) => (r.redriven > 0 || r.finalized > 0) && logger.info(r, "reconciled stuck work"),
      (err: unknown) => logger.warn(errorFields(err), "reconcile failed"),
    );
  };
  reconcile();
  const timer = setInterval(reconcile, opts.reconcileIntervalMs ?? 30_000);
  timer.unref();

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      clearInterval(timer);
      events.close();
      await queue.stop();
      await outbox.stop();
      unsubscribeOutbox();
      group.flush();
      await checkpointer?.stop();
      releaseOwnership(db);
      db.close();
    })());

  const flush = (): void => group.flush();
  return { handlers, deps, store, queue, blobs, events, ai: opts.ai, limits, dataDir: opts.dataDir, flush, close };
}

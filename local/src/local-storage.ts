/**
 * The local host's storage in one data directory: the SQLite file (owned by this process, group
 * commit, checkpoints in a worker) and the adapters on it (document store with the results
 * trigger, durable task queue, disk blob store).
 */
import { RESULT_TRIGGER_FIELDS, type Logger, type QueueLimits, type RetryPolicy, type BatchTask } from "@flowcraft/core";
import { DiskBlobStore } from "./disk-blob-store";
import { errorFields } from "./log-error";
import { Checkpointer } from "./sqlite/checkpointer";
import { GroupCommit, noGroup, type BeforeWrite } from "./sqlite/group-commit";
import { openDb, type Db } from "./sqlite/open-db";
import { claimOwnership, releaseOwnership } from "./sqlite/owner-lock";
import { SqliteStore } from "./sqlite/sqlite-store";
import { SqliteTaskQueue } from "./sqlite/sqlite-task-queue";

export interface LocalStorage {
  db: Db;
  beforeWrite: BeforeWrite;
  store: SqliteStore;
  queue: SqliteTaskQueue<BatchTask>;
  blobs: DiskBlobStore;
  /** Commits the open turn now. */
  flush(): void;
  /** Flushes, stops the checkpoint worker and closes the database (after queue and outbox stopped). */
  close(): Promise<void>;
}

export interface LocalStorageOptions {
  dataDir: string;
  logger: Logger;
  retry: RetryPolicy;
  queueLimits?: QueueLimits;
  groupCommit: boolean;
}

/**
 * How long the host's group commit collects writes: a crash loses at most this much work (all of
 * it redelivered), and anything acknowledged to a client was flushed first.
 */
const GROUP_COMMIT_WINDOW_MS = 4;

/** Documents whose creation the outbox delivers to `onResultCreated`. */
export const RESULT_TRIGGER = "batch_jobs/*/results/*";
/** Documents whose creation the outbox delivers to `onWebhookEventCreated`. */
export const WEBHOOK_EVENT_TRIGGER = "batch_jobs/*/webhook_events/*";

export function openLocalStorage(opts: LocalStorageOptions): LocalStorage {
  const db = openDb(opts.dataDir);
  claimOwnership(db);
  const onCheckpointerError = (err: unknown): void => opts.logger.warn(errorFields(err), "checkpoint worker failed; checkpointing inline");
  const checkpointer = opts.groupCommit ? new Checkpointer(db, {}, onCheckpointerError) : null;
  const group = new GroupCommit(
    db,
    (err) => {
      // The turn was rolled back, but the queue's and outbox's in-memory state already moved on:
      // stop the process so a restart recovers from the file (everything is redelivered from it).
      opts.logger.error(errorFields(err), "group commit failed; stopping");
      store.dropCache(); // the cache holds rolled-back writes: reads until the stop go to the file
      setImmediate(() => {
        throw err;
      });
    },
    () => checkpointer?.afterCommit(),
    GROUP_COMMIT_WINDOW_MS,
  );
  const beforeWrite = opts.groupCommit ? () => group.begin() : noGroup;
  // A result's trigger handler reads only its reference fields: its outbox row keeps just those
  // (not a second copy of each result); a webhook event's handler reads the whole event.
  const triggers = [{ pattern: RESULT_TRIGGER, fields: RESULT_TRIGGER_FIELDS }, WEBHOOK_EVENT_TRIGGER];
  const store = new SqliteStore(db, { triggers, beforeWrite });
  const queue = new SqliteTaskQueue<BatchTask>({
    db,
    beforeWrite,
    retry: opts.retry,
    ...(opts.queueLimits ? { limits: opts.queueLimits } : {}),
    logger: opts.logger,
  });
  const close = async (): Promise<void> => {
    group.flush();
    await checkpointer?.stop();
    releaseOwnership(db);
    db.close();
  };
  return { db, beforeWrite, store, queue, blobs: new DiskBlobStore(opts.dataDir), flush: () => group.flush(), close };
}

/**
 * Production dependencies: firebase-admin adapters behind the core ports, built inside a function
 * instance (params and secrets are only readable at run time). The task queue and the Storage
 * bucket are built on their first use, so a function that writes no media never looks up the
 * default bucket (a project may have none) and a callable refused early builds nothing. Every AI call
 * of every batch goes through ONE StoreGovernor per instance over Firestore (shared by the deps built
 * for functions with and without the AI secret): limits from `settings/governor` over the defaults.
 */
import { getApps, initializeApp, applicationDefault, type App } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { getFunctions } from "firebase-admin/functions";
import { getStorage } from "firebase-admin/storage";
import {
  FIREBASE_LIMITS,
  DEFAULT_MODEL_LIMITS,
  DEFAULT_QUOTA_LIMITS,
  PermanentError,
  StoreGovernor,
  createBatchHandlers,
  createUserQuota,
  systemClock,
  type BlobStore,
  type DocumentStore,
  type Logger,
  type QuotaLimits,
  type BatchTask,
  randomIds,
} from "@flowcraft/core";
import { FirestoreStore } from "../adapters/firestore-store";
import { FirebaseTaskQueue } from "../adapters/firebase-task-queue";
import { cachedFunctionUri } from "../adapters/function-uri";
import { StorageBlobStore } from "../adapters/storage-blob-store";
import { StorageUploads } from "../adapters/storage-uploads";
import { ROW_TASK_DISPATCH_DEADLINE_SECONDS, ROW_TASK_FUNCTION } from "../config/function-options";
import { AI_CALLS_PER_MINUTE, AI_PROVIDER, ECONOMY_BATCH_JOBS, REGION, ROWS_PER_DAY, runtimeProjectId } from "../config/params";
import { makeAiService } from "./ai-provider";
import { economyDepsFor } from "./economy-deps";
import type { DepsRequest, FunctionsDeps } from "./deps";
import { functionsLoggerAdapter as logger } from "./functions-logger";
import { lazyBlobStore, lazyTaskQueue } from "./lazy-ports";

/** Job, record and instance ids: core's random base62 source (about 119 bits). */
const ids = randomIds();

function adminApp(): App {
  return getApps()[0] ?? initializeApp();
}

/**
 * The row task queue in the region the functions run in: REGION at run time is the value the CLI
 * resolved for the deploy manifest's `{{ params.REGION }}`, so the queue and `runBatchRow` agree.
 */
export function rowTaskQueue(app: App, log: Logger = logger): FirebaseTaskQueue<BatchTask> {
  const region = REGION.value() || "us-central1";
  return new FirebaseTaskQueue<BatchTask>({
    functions: getFunctions(app),
    region,
    functionName: ROW_TASK_FUNCTION,
    dispatchDeadlineSeconds: ROW_TASK_DISPATCH_DEADLINE_SECONDS,
    resolveUri: cachedFunctionUri({
      credential: app.options.credential ?? applicationDefault(),
      projectId: runtimeProjectId(),
      region,
      functionName: ROW_TASK_FUNCTION,
      logger: log,
    }),
    logger: log,
  });
}

/** Media go to the project's default bucket (the web app reads them through storage.rules). */
function mediaBucket(app: App): StorageBlobStore {
  try {
    return new StorageBlobStore(getStorage(app).bucket());
  } catch {
    throw new PermanentError("failed_precondition", "Cloud Storage has no default bucket: media outputs cannot be stored");
  }
}

/** The media store, built on its first write or read: a project may have no default bucket. */
export function mediaStore(app: App): BlobStore {
  return lazyBlobStore(() => mediaBucket(app));
}

/** A param read at run time; unset (0) outside a deployed function means the default. */
function positive(value: number, fallback: number): number {
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export function quotaLimits(): QuotaLimits {
  return {
    aiCallsPerMinute: positive(AI_CALLS_PER_MINUTE.value(), DEFAULT_QUOTA_LIMITS.aiCallsPerMinute),
    rowsPerDay: positive(ROWS_PER_DAY.value(), DEFAULT_QUOTA_LIMITS.rowsPerDay),
  };
}

let instanceGovernor: StoreGovernor | null = null;

/** This instance's governor: built once, on first use, with an id of its own for its slot leases. */
export function governorFor(store: DocumentStore): StoreGovernor {
  instanceGovernor ??= new StoreGovernor({ store, clock: systemClock, instanceId: `fn-${ids.newId()}`, defaults: DEFAULT_MODEL_LIMITS });
  return instanceGovernor;
}

export function productionDeps(req: DepsRequest): FunctionsDeps {
  const app = adminApp();
  const store = new FirestoreStore(getFirestore(app));
  const queue = lazyTaskQueue(() => rowTaskQueue(app));
  const blobs = mediaStore(app);
  const ai = makeAiService(req.withAi);
  const governor = governorFor(store);
  const handlers = createBatchHandlers({
    store,
    queue,
    blobs,
    ai,
    clock: systemClock,
    ids,
    logger,
    limits: FIREBASE_LIMITS,
    engine: { governor },
    // Loopback receivers only under the emulator suite (a developer's machine), https otherwise.
    webhooks: { allowLoopback: process.env.FUNCTIONS_EMULATOR === "true", blockPrivateAddresses: process.env.FUNCTIONS_EMULATOR !== "true" },
    ...economyDepsFor({ enabled: ECONOMY_BATCH_JOBS.value(), provider: AI_PROVIDER.value(), batches: ai.batches }),
  });
  const quota = createUserQuota({ store, clock: systemClock, limits: quotaLimits() });
  // The bucket is looked up on first use (a signing, an upload read), like the media store.
  const mediaSigner = { signedReadUrl: (ref: string, expires: Date) => mediaBucket(app).signedReadUrl(ref, expires) };
  const uploads = new StorageUploads(() => getStorage(app).bucket());
  return { handlers, ai, store, logger, clock: systemClock, quota, governor, mediaSigner, uploads };
}

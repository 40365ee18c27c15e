/**
 * Production dependencies: firebase-admin adapters behind the core ports, built on first use inside
 * a function instance (params and secrets are only readable at run time).
 */
import { getApps, initializeApp, applicationDefault, type App } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { getFunctions } from "firebase-admin/functions";
import { getStorage } from "firebase-admin/storage";
import { DEFAULT_LIMITS, createBatchHandlers, systemClock, type BatchTask } from "@flowcraft/core";
import { FirestoreStore } from "../adapters/firestore-store";
import { FirebaseTaskQueue } from "../adapters/firebase-task-queue";
import { ROW_TASK_RETRY_POLICY } from "../config/function-options";
import { cachedFunctionUri } from "../adapters/function-uri";
import { StorageBlobStore } from "../adapters/storage-blob-store";
import { ROW_TASK_DISPATCH_DEADLINE_SECONDS, ROW_TASK_FUNCTION } from "../config/function-options";
import { REGION, runtimeProjectId } from "../config/params";
import { makeAiService } from "./ai-provider";
import type { DepsRequest, FunctionsDeps } from "./deps";
import { functionsLoggerAdapter as logger } from "./functions-logger";
import { randomIds } from "./random-ids";

function adminApp(): App {
  return getApps()[0] ?? initializeApp();
}

export function productionDeps(req: DepsRequest): FunctionsDeps {
  const app = adminApp();
  const region = REGION.value();
  const store = new FirestoreStore(getFirestore(app));
  const queue = new FirebaseTaskQueue<BatchTask>({
    functions: getFunctions(app),
    region,
    functionName: ROW_TASK_FUNCTION,
    dispatchDeadlineSeconds: ROW_TASK_DISPATCH_DEADLINE_SECONDS,
    resolveUri: cachedFunctionUri({
      credential: app.options.credential ?? applicationDefault(),
      projectId: runtimeProjectId(),
      region,
      functionName: ROW_TASK_FUNCTION,
      logger,
    }),
    logger,
  });
  // Media go to the project's default bucket (the web app reads them through storage.rules).
  const blobs = new StorageBlobStore(getStorage(app).bucket());
  const ai = makeAiService(req.withAi);
  const handlers = createBatchHandlers({ store, queue, blobs, ai, clock: systemClock, ids: randomIds, logger, limits: DEFAULT_LIMITS, taskRetry: ROW_TASK_RETRY_POLICY });
  return { handlers, ai, store, logger, clock: systemClock };
}

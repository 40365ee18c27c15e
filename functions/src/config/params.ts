/**
 * Deploy-time parameters and secrets. Values are read with `.value()` only inside handlers (at
 * run time), never at import time; the CLI asks for or reads them from `functions/.env*` at deploy.
 */
import { defineBoolean, defineInt, defineSecret, defineString, projectID } from "firebase-functions/params";
import { DEPLOYED_ROW_QUEUE_LIMITS } from "@flowcraft/core";

/** Region of every function (and of the row task queue). */
export const REGION = defineString("REGION", { default: "us-central1", description: "Functions and task queue region" });

/** Bound only to functions that call the AI service (row task, preview, single generations). */
export const GEMINI_API_KEY = defineSecret("GEMINI_API_KEY");

/** `gemini` (API key secret), `vertex` (Vertex AI with the runtime service account) or `offline`. */
export const AI_PROVIDER = defineString("AI_PROVIDER", {
  default: "gemini",
  description: "AI provider: gemini | vertex | offline",
});

/** Vertex AI location, used when AI_PROVIDER=vertex. */
export const VERTEX_LOCATION = defineString("VERTEX_LOCATION", { default: "us-central1" });

/**
 * The row queue's own limits, a SAFETY NET only: the AI-call governor (settings/governor) is the
 * quota guard. The defaults (DEPLOYED_ROW_QUEUE_LIMITS: 500/s, Cloud Tasks' maximum, and 1,000 at
 * once) never bind before the governor does; lower them only to cap the functions' own load.
 */
export const ROW_QUEUE_MAX_CONCURRENT = defineInt("ROW_QUEUE_MAX_CONCURRENT", {
  default: DEPLOYED_ROW_QUEUE_LIMITS.maxConcurrentDispatches,
  description: "Row tasks running at once across every job (a safety net; the governor guards the AI quota)",
});

/** Queue-wide dispatch rate (tasks started per second across all jobs); Cloud Tasks allows at most 500. */
export const ROW_QUEUE_MAX_PER_SECOND = defineInt("ROW_QUEUE_MAX_PER_SECOND", {
  default: DEPLOYED_ROW_QUEUE_LIMITS.maxDispatchesPerSecond,
  description: "Row tasks started per second across every job (a safety net; at most 500)",
});

/**
 * Callables require a valid App Check token (web: reCAPTCHA Enterprise). Read at function
 * definition through `appCheckEnforced()` (config/app-check.ts), never under the emulator.
 */
export const ENFORCE_APP_CHECK = defineBoolean("ENFORCE_APP_CHECK", {
  default: true,
  description: "Reject callable requests without a valid App Check token (ignored in the emulator)",
});

/**
 * Economy batches through the provider's batch jobs (Gemini API key or offline; not Vertex AI).
 * Off: economy batches run their rows realtime, at the standard price.
 */
export const ECONOMY_BATCH_JOBS = defineBoolean("ECONOMY_BATCH_JOBS", {
  default: false,
  description: "Run economy batches' text steps through the provider's batch jobs (half price, up to 24 h)",
});

/** Per-user AI calls a minute (previews count one per AI node, single generations one each). */
export const AI_CALLS_PER_MINUTE = defineInt("AI_CALLS_PER_MINUTE", { default: 20, description: "AI calls per user per minute" });

/** Per-user input rows a day (UTC), counted when a batch is created. */
export const ROWS_PER_DAY = defineInt("ROWS_PER_DAY", { default: 20_000, description: "Batch rows per user per UTC day" });

/**
 * Days a finished batch is kept before the daily `purgeExpiredBatches` deletes it; 0 keeps
 * batches forever (the schedule then only completes deletes a crash interrupted).
 */
export const RETENTION_DAYS = defineInt("RETENTION_DAYS", { default: 0, description: "Delete finished batches after this many days (0 = keep)" });

/** The project id at run time: FIREBASE_CONFIG's in Cloud Functions and the emulator, else GCLOUD_PROJECT. */
export function runtimeProjectId(): string {
  return projectID.value() || process.env.GCLOUD_PROJECT || "";
}

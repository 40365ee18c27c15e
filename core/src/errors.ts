/**
 * Error vocabulary shared by every layer. Retry meaning is carried by the class and the `code`,
 * never by matching messages. Messages must be safe to show to the user who owns the job: no SDK
 * internals, no request URLs with keys, no stack traces.
 */
import { z } from "zod";

export const ErrorCode = z.enum([
  // input and configuration
  "invalid_flow",
  "invalid_input",
  "not_found",
  "permission_denied",
  "failed_precondition",
  "limit_exceeded",
  "conflict", // a request id reused with a different payload: permanent
  // AI provider outcomes
  "rate_limited", // 429 / RESOURCE_EXHAUSTED: retryable, may carry retryAfterMs
  "unavailable", // 5xx, network errors: retryable
  "timeout", // deadline passed: retryable unless the row's own deadline is spent
  "safety_blocked", // prompt or candidate blocked by safety filters: permanent
  "bad_request", // 400 from the provider: permanent
  "auth", // 401/403, missing or invalid key: permanent
  "model_not_found", // 404 from the provider: the model name is unknown: permanent
  "quota_exhausted", // 429 for a per-day quota: nothing passes until it resets: permanent for the batch
  "model_error", // provider answered but gave nothing usable (no text, no image, bad JSON): permanent
  "invalid_output", // the answer cannot be stored (JSON nested too deep, reserved keys): permanent
  // batch lifecycle
  "cancelled",
  "upstream_failed", // a node was skipped because a node it depends on failed
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The shape errors take when stored in a document or sent to a client. */
export const ErrorInfo = z.object({
  code: ErrorCode,
  message: z.string(),
  retryable: z.boolean(),
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** Field- or row-level details for validation errors. */
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export interface ErrorDetail {
  /** Where the problem is, e.g. `nodes[2].data.prompt`, `rows[14].title`, `concurrency`. */
  path: string;
  message: string;
}

export abstract class FlowcraftError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.details && this.details.length > 0) info.details = this.details;
    return info;
  }
}

/** Worth trying again later; `retryAfterMs` is the server's hint when it gave one. */
export class RetryableError extends FlowcraftError {
  readonly retryable = true;
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(code, message);
  }
  override toInfo(): ErrorInfo {
    const info = super.toInfo();
    if (this.retryAfterMs !== undefined) info.retryAfterMs = this.retryAfterMs;
    return info;
  }
}

/** Will fail the same way again: do not retry. */
export class PermanentError extends FlowcraftError {
  readonly retryable = false;
}

/** Bad input from a caller (flow, CSV, options). Carries field- and row-level details. */
export class ValidationError extends PermanentError {
  constructor(message: string, details: ErrorDetail[], code: ErrorCode = "invalid_input") {
    super(code, message, details);
  }
}

/** Anything not already a FlowcraftError becomes `internal` with a generic, safe message. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof FlowcraftError) return err.toInfo();
  return { code: "internal", message: "Internal error", retryable: true };
}

export function isRetryable(err: unknown): boolean {
  return err instanceof FlowcraftError ? err.retryable : true;
}

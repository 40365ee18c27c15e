/**
 * The one mapping from core error codes to callable (HttpsError) codes. Exhaustive: adding a core
 * ErrorCode fails the typecheck here until it is mapped. Unknown errors become `internal` with a
 * generic message and are logged with context (never sent to the client: SDK errors can carry keys).
 */
import { HttpsError, type FunctionsErrorCode } from "firebase-functions/v2/https";
import { FlowcraftError, scrubSecrets, type ErrorCode, type ErrorInfo, type Logger } from "@flowcraft/core";

export function httpsCodeFor(code: ErrorCode): FunctionsErrorCode {
  switch (code) {
    case "invalid_flow":
    case "invalid_input":
    case "bad_request":
    case "model_not_found":
      return "invalid-argument";
    case "not_found":
      return "not-found";
    case "conflict":
      return "already-exists";
    case "permission_denied":
      return "permission-denied";
    case "failed_precondition":
    case "upstream_failed":
    case "safety_blocked":
    case "auth": // the server's AI credentials were refused: not the caller's fault, not retryable
      return "failed-precondition";
    case "limit_exceeded":
    case "rate_limited":
    case "quota_exhausted":
      return "resource-exhausted";
    case "unavailable":
      return "unavailable";
    case "timeout":
      return "deadline-exceeded";
    case "cancelled":
      return "cancelled";
    case "model_error":
    case "invalid_output":
    case "internal":
      return "internal";
  }
}

/** Converts anything thrown by a handler into the HttpsError the client receives. */
export function toHttpsError(err: unknown, logger: Logger, context: Record<string, unknown>): HttpsError {
  if (err instanceof HttpsError) return err;
  if (err instanceof FlowcraftError) {
    const info: ErrorInfo = err.toInfo();
    if (info.code === "internal") logger.error({ ...context, code: info.code, error: describe(err) }, "callable failed");
    return new HttpsError(httpsCodeFor(info.code), info.message, info);
  }
  logger.error({ ...context, error: describe(err) }, "callable failed with an unexpected error");
  const info: ErrorInfo = { code: "internal", message: "Internal error", retryable: true };
  return new HttpsError("internal", info.message, info);
}

/** Name, message and stack for server logs only, scrubbed (SDK errors can carry a key, also encoded). */
export function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: scrubSecrets(err.message), stack: err.stack === undefined ? undefined : scrubSecrets(err.stack) };
  return { value: scrubSecrets(String(err)) };
}

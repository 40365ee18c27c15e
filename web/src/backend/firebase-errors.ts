/** Maps Firebase SDK errors (callable HttpsError with ErrorInfo details, Firestore errors) to BackendError. */
import { FirebaseError } from "firebase/app";
import type { ErrorCode, ErrorInfo } from "@core/errors";
import { BackendError } from "./types";

/** HttpsError / Firestore status → our code, for errors that carry no ErrorInfo. */
function codeFor(status: string): { code: ErrorCode; retryable: boolean } {
  switch (status) {
    case "invalid-argument":
      return { code: "invalid_input", retryable: false };
    case "not-found":
      return { code: "not_found", retryable: false };
    case "permission-denied":
    case "unauthenticated":
      return { code: "permission_denied", retryable: false };
    case "failed-precondition":
      return { code: "failed_precondition", retryable: false };
    case "already-exists":
      return { code: "conflict", retryable: false };
    case "resource-exhausted":
      return { code: "limit_exceeded", retryable: false };
    case "unavailable":
    case "deadline-exceeded":
      return { code: "unavailable", retryable: true };
    default:
      return { code: "internal", retryable: true };
  }
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === "object" && value !== null && typeof (value as ErrorInfo).code === "string" && typeof (value as ErrorInfo).message === "string";
}

export function fromFirebaseError(err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  if (err instanceof FirebaseError) {
    const details = (err as FirebaseError & { details?: unknown }).details;
    if (isErrorInfo(details)) return new BackendError(details);
    const status = err.code.replace(/^(functions|firestore|storage|auth)\//, "");
    const { code, retryable } = codeFor(status);
    const message = status === "unavailable" ? "Cannot reach Firebase. Check your connection or the emulators." : err.message;
    return new BackendError({ code, message, retryable });
  }
  const message = err instanceof Error ? err.message : "Something went wrong";
  return new BackendError({ code: "internal", message, retryable: true });
}

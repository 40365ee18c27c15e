/**
 * Turns whatever the Gemini SDK throws (or a response we cannot use) into a fresh
 * `RetryableError` / `PermanentError` with a short message written here. SDK errors are never
 * rethrown or attached as `cause`: their messages hold raw response bodies that may echo secrets.
 *
 * Two steps, both exhaustive switches over closed unions (no decisions by message matching):
 * 1. `describeFailure(err)` reads the error's class, `status`, `name` and `cause.code` into a
 *    `GeminiFailure`;
 * 2. `failureToError(failure)` maps that to our error vocabulary.
 */
import { FlowcraftError, PermanentError, RetryableError } from "../errors";
import { safeProviderText } from "./scrub";

/** What went wrong, independent of how the SDK reported it. */
export type GeminiFailure =
  | { kind: "http"; status: number; statusText?: string; providerMessage?: string; retryAfterMs?: number; dailyQuota?: boolean }
  | { kind: "network" }
  | { kind: "timeout" }
  | { kind: "cancelled" }
  | { kind: "bad_response" }
  | { kind: "client_rejected"; detail?: string }
  | { kind: "unsupported"; detail: string }
  | { kind: "safety"; reason: string }
  | { kind: "empty"; what: string }
  | { kind: "bad_json" };

/** A failure found in a response we received (thrown internally, classified like SDK errors). */
export class ResponseFailure extends Error {
  constructor(readonly failure: GeminiFailure) {
    super(failure.kind);
    this.name = "ResponseFailure";
  }
}

/** How an HTTP status (or the equivalent google.rpc code) behaves. */
export type StatusClass = "rate_limited" | "unavailable" | "timeout" | "bad_request" | "auth" | "not_found";

export function classifyStatus(status: number): StatusClass {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 408) return "timeout";
  // 409 ABORTED and 499 CANCELLED (server side) are transient.
  if (status === 409 || status === 499) return "unavailable";
  if (status === 501 || status === 505) return "bad_request";
  if (status >= 500) return "unavailable";
  return "bad_request";
}

/** google.rpc.Code → HTTP status, per google/rpc/code.proto (used for long-running operation errors). */
export function rpcCodeToHttpStatus(code: number | undefined): number {
  const table: Record<number, number> = {
    1: 499,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 400,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
  };
  return (code !== undefined ? table[code] : undefined) ?? 500;
}

/** Finish/block reasons that mean the content was withheld by safety filters. */
export const SAFETY_REASONS: ReadonlySet<string> = new Set([
  "SAFETY",
  "PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "MODEL_ARMOR",
]);

export interface DescribeContext {
  /** The caller's signal: an abort there means "cancelled", any other abort means "timeout". */
  signal?: AbortSignal;
}

/**
 * Reads an unknown thrown value into a `GeminiFailure`. Checks use `name`, `status` and
 * `cause.code`, not `instanceof` on built-in classes: fetch errors can come from another realm
 * (e.g. under jest), and the SDK wraps non-`Error` throwables as `Error("exception … sending
 * request", {cause})`, which is unwrapped here.
 */
export function describeFailure(err: unknown, ctx: DescribeContext = {}): GeminiFailure {
  if (ctx.signal?.aborted) return { kind: "cancelled" };
  if (err instanceof ResponseFailure) return err.failure;
  if (typeof err !== "object" || err === null) return { kind: "bad_response" };
  const { name, status, cause, message } = err as { name?: unknown; status?: unknown; cause?: unknown; message?: unknown };
  if (name === "ApiError" && typeof status === "number") return describeApiError(status, String(message));
  if (name === "AbortError" || name === "TimeoutError") return { kind: "timeout" };
  if (name === "SyntaxError") return { kind: "bad_response" };
  if (name === "TypeError") return describeTypeError(err);
  if (cause !== undefined && cause !== null) return describeFailure(cause, {});
  // The SDK throws plain Errors for parameters it rejects before sending anything.
  return { kind: "client_rejected", ...(typeof message === "string" ? { detail: message } : {}) };
}

const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** `fetch` rejects with TypeError("fetch failed", {cause}) on network trouble. */
function describeTypeError(err: object): GeminiFailure {
  const cause = (err as { cause?: unknown }).cause;
  const code = errorCode(cause) ?? errorCode(err);
  if (code === undefined) return cause === undefined ? { kind: "bad_response" } : { kind: "network" };
  return TIMEOUT_CODES.has(code) ? { kind: "timeout" } : { kind: "network" };
}

function errorCode(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const code = (value as { code?: unknown }).code;
  if (typeof code === "string") return code;
  return errorCode((value as { cause?: unknown }).cause);
}

interface GoogleErrorBody {
  error?: { code?: unknown; message?: unknown; status?: unknown; details?: unknown };
}

/** `ApiError.message` is the JSON text of the error body (`{error:{code,message,status,details}}`). */
function describeApiError(status: number, bodyText: string): GeminiFailure {
  let body: GoogleErrorBody = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === "object" && parsed !== null) body = parsed;
  } catch {
    // not JSON: keep only the status
  }
  const e = body.error ?? {};
  const failure: GeminiFailure = { kind: "http", status };
  if (typeof e.status === "string") failure.statusText = e.status;
  if (typeof e.message === "string") failure.providerMessage = e.message;
  const retryAfterMs = retryDelayFromDetails(e.details);
  if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
  if (status === 429 && exhaustsDailyQuota(e.details)) failure.dailyQuota = true;
  return failure;
}

/**
 * True when a 429's `google.rpc.QuotaFailure` names a per-day quota (Gemini's quota ids read like
 * `GenerateRequestsPerDayPerProjectPerModel-FreeTier`): waiting minutes does not help.
 */
export function exhaustsDailyQuota(details: unknown): boolean {
  if (!Array.isArray(details)) return false;
  return (details as unknown[]).some((d) => {
    if (typeof d !== "object" || d === null) return false;
    const type = (d as { "@type"?: unknown })["@type"];
    const violations = (d as { violations?: unknown }).violations;
    if (typeof type !== "string" || !type.endsWith("google.rpc.QuotaFailure") || !Array.isArray(violations)) return false;
    return (violations as unknown[]).some((v) => {
      const id = typeof v === "object" && v !== null ? (v as { quotaId?: unknown }).quotaId : undefined;
      return typeof id === "string" && /PerDay/i.test(id);
    });
  });
}

/** Reads `google.rpc.RetryInfo.retryDelay` ("12s", "0.5s") from an error's details. */
export function retryDelayFromDetails(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details as unknown[]) {
    if (typeof d !== "object" || d === null) continue;
    const type = (d as { "@type"?: unknown })["@type"];
    const delay = (d as { retryDelay?: unknown }).retryDelay;
    if (typeof type !== "string" || !type.endsWith("google.rpc.RetryInfo")) continue;
    const ms = parseDuration(delay);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

/** Protobuf JSON duration ("12s", "1.5s") or `{seconds, nanos}` → ms. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "string") {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
    return m?.[1] !== undefined ? Math.round(Number(m[1]) * 1000) : undefined;
  }
  if (typeof value === "object" && value !== null) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    const s = Number(seconds ?? 0);
    const n = Number(nanos ?? 0);
    if (Number.isFinite(s) && Number.isFinite(n)) return Math.round(s * 1000 + n / 1e6);
  }
  return undefined;
}

/** Maps a failure to a fresh error with a message safe to show; `secrets` are scrubbed from provider text. */
export function failureToError(f: GeminiFailure, secrets: readonly (string | undefined)[] = []): FlowcraftError {
  switch (f.kind) {
    case "http":
      return httpError(f, secrets);
    case "network":
      return new RetryableError("unavailable", "Could not reach Gemini (network error)");
    case "timeout":
      return new RetryableError("timeout", "Gemini did not answer in time");
    case "cancelled":
      return new RetryableError("cancelled", "Gemini call cancelled");
    case "bad_response":
      return new RetryableError("unavailable", "Gemini sent a response that could not be read");
    case "client_rejected":
      return new PermanentError("bad_request", withDetail("Gemini request rejected before sending", f.detail, secrets));
    case "unsupported":
      return new PermanentError("bad_request", f.detail);
    case "safety":
      return new PermanentError("safety_blocked", `Gemini blocked the content (${safeProviderText(f.reason, secrets, 40)})`);
    case "empty":
      return new PermanentError("model_error", `Gemini returned no ${f.what}`);
    case "bad_json":
      return new PermanentError("model_error", "Gemini returned text that is not valid JSON");
  }
}

function httpError(f: Extract<GeminiFailure, { kind: "http" }>, secrets: readonly (string | undefined)[]): FlowcraftError {
  const label = f.statusText ? `${f.status} ${safeProviderText(f.statusText, secrets, 40)}` : String(f.status);
  const cls = classifyStatus(f.status);
  switch (cls) {
    case "rate_limited":
      if (f.dailyQuota) return new PermanentError("quota_exhausted", `Gemini's daily quota for this model is exhausted (${label}); it resets the next day`);
      return new RetryableError("rate_limited", `Gemini rate limit reached (${label})`, f.retryAfterMs);
    case "unavailable":
      return new RetryableError("unavailable", `Gemini is unavailable (${label})`, f.retryAfterMs);
    case "timeout":
      return new RetryableError("timeout", `Gemini timed out (${label})`, f.retryAfterMs);
    case "auth":
      return new PermanentError("auth", withDetail(`Gemini refused the credentials (${label})`, f.providerMessage, secrets));
    case "not_found":
      return new PermanentError("model_not_found", withDetail(`Gemini model not found (${label})`, f.providerMessage, secrets));
    case "bad_request":
      return new PermanentError("bad_request", withDetail(`Gemini rejected the request (${label})`, f.providerMessage, secrets));
  }
}

function withDetail(base: string, detail: string | undefined, secrets: readonly (string | undefined)[]): string {
  const safe = safeProviderText(detail, secrets);
  return safe ? `${base}: ${safe}` : base;
}

/** Classifies any thrown value in one step. */
export function toProviderError(err: unknown, opts: DescribeContext & { secrets?: readonly (string | undefined)[] } = {}): FlowcraftError {
  // Errors we built ourselves (e.g. a safety block read from a response) are already safe.
  if (err instanceof FlowcraftError && !opts.signal?.aborted) return err;
  return failureToError(describeFailure(err, opts), opts.secrets ?? []);
}

/**
 * Response and request plumbing for the HTTP API: JSON replies, the one table mapping error codes
 * to HTTP statuses, zod issues turned into field-level details, and body reading with a size limit
 * (413 before the whole body is buffered).
 */
import { FlowcraftError, ValidationError, findKeyPath, toErrorInfo, type ErrorCode, type ErrorDetail, type ErrorInfo, type Logger } from "@flowcraft/core";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { errorFields } from "../log-error";

/** A request body over the route's size limit. */
export class BodyTooLargeError extends FlowcraftError {
  readonly retryable = false;
  constructor(limit: number) {
    super("limit_exceeded", `Request body is larger than ${limit} bytes`);
  }
}

export function statusFor(code: ErrorCode): number {
  switch (code) {
    case "invalid_flow":
    case "invalid_input":
    case "bad_request":
    case "model_not_found":
      return 400;
    case "auth":
      return 401;
    case "permission_denied":
      return 403;
    case "not_found":
      return 404;
    case "failed_precondition":
    case "conflict":
    case "cancelled":
      return 409;
    case "limit_exceeded":
    case "rate_limited":
    case "quota_exhausted":
      return 429;
    case "safety_blocked":
    case "model_error":
    case "invalid_output":
    case "upstream_failed":
      return 422;
    case "unavailable":
      return 503;
    case "timeout":
      return 504;
    case "internal":
      return 500;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, logger: Logger): void {
  const info: ErrorInfo = toErrorInfo(err);
  const status = err instanceof BodyTooLargeError ? 413 : statusFor(info.code);
  if (status >= 500) logger.error(errorFields(err), "request failed");
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: info });
}

/** `rows[3].title` style path of a zod issue. */
function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out || "(body)";
}

/**
 * Parses with a zod schema, throwing a ValidationError whose details name each bad field. `what`
 * names the input in the message, so a bad `?limit=` is not reported as a bad body.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what = "request body"): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const details: ErrorDetail[] = r.error.issues.slice(0, 50).map((i) => ({ path: issuePath(i.path), message: i.message }));
  throw new ValidationError(`The ${what} is invalid`, details);
}

/** Reads the whole body as UTF-8 text, rejecting past `limit` bytes with BodyTooLargeError. */
export async function readText(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Parses a JSON body. A `__proto__` key anywhere is refused here, naming where: JSON.parse keeps
 * it as a plain key, but zod drops it without a word and copying it into an object replaces that
 * object's prototype. (Other reserved names are checked where they matter, in core.)
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = await readText(req, limit);
  if (text.trim() === "") return {};
  let proto = false;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === "__proto__") proto = true;
      return v;
    }) as unknown;
  } catch {
    throw new ValidationError("The request body is not valid JSON", [{ path: "(body)", message: "expected a JSON object" }]);
  }
  if (proto) {
    const path = findKeyPath(value, "__proto__") ?? "(body)";
    throw new ValidationError(`The request body has a key named "__proto__" at ${path}`, [{ path, message: '"__proto__" is a reserved name; rename it' }]);
  }
  return value;
}

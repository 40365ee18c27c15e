/**
 * Idempotent create: a client sends one `requestId` per submit and reuses it on its retries.
 * `batch_requests/{hash(ownerId, requestId)}` records the job that request created, written in the
 * SAME transaction as the job document, so a request id maps to at most one job whatever the
 * retries and races. The payload's hash is kept too: the same id with a different payload is a
 * client bug (or a reused id), refused with `conflict` instead of silently returning another job.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { PermanentError, ValidationError } from "../errors";
import type { Transaction } from "../ports/store";

export const REQUESTS = "batch_requests";

/** Letters, digits and `_ . : -`, up to 128 characters (a UUID fits). */
export const RequestId = z
  .string()
  .min(1, "must not be empty")
  .max(128, "at most 128 characters")
  .regex(/^[A-Za-z0-9_.:-]+$/, "only letters, digits and _ . : - are allowed");

export const RequestRecord = z.object({
  ownerId: z.string(),
  requestId: z.string(),
  jobId: z.string(),
  hash: z.string(),
  createdAt: z.number(),
});
export type RequestRecord = z.infer<typeof RequestRecord>;

export function parseRequestId(raw: unknown): string | undefined {
  const value = (raw as { requestId?: unknown } | null)?.requestId;
  if (value === undefined) return undefined;
  const r = RequestId.safeParse(value);
  if (r.success) return r.data;
  throw new ValidationError("The batch request is malformed", [{ path: "requestId", message: r.error.issues[0]?.message ?? "is invalid" }]);
}

export const requestPath = (ownerId: string, requestId: string): string =>
  `${REQUESTS}/${createHash("sha256").update(`${ownerId}\u0000${requestId}`).digest("hex").slice(0, 40)}`;

/** JSON with object keys sorted, so the same payload always hashes the same. */
function canonical(value: unknown, out: string[]): void {
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((v, i) => {
      if (i > 0) out.push(",");
      canonical(v, out);
    });
    out.push("]");
  } else if (value !== null && typeof value === "object") {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    out.push("{");
    keys.forEach((k, i) => {
      out.push(`${i > 0 ? "," : ""}${JSON.stringify(k)}:`);
      canonical((value as Record<string, unknown>)[k], out);
    });
    out.push("}");
  } else {
    out.push(JSON.stringify(value) ?? "null");
  }
}

/** SHA-256 of the payload as it will be stored (normalized rows, defaults applied). */
export function payloadHash(payload: Record<string, unknown>): string {
  const hash = createHash("sha256");
  const parts: string[] = [];
  canonical(payload, parts);
  for (const p of parts) hash.update(p);
  return hash.digest("hex");
}

export function requestConflict(requestId: string): PermanentError {
  return new PermanentError("conflict", `Request id "${requestId}" was already used for a different batch; send a new request id for a new batch`);
}

/**
 * The job an earlier attempt of this request created, or null. Throws `conflict` when the id was
 * used with a different payload.
 */
export async function findRequest(r: Pick<Transaction, "get">, o: { ownerId: string; requestId: string; hash: string }): Promise<string | null> {
  const doc = await r.get(requestPath(o.ownerId, o.requestId));
  if (!doc) return null;
  const rec = RequestRecord.parse(doc.data);
  if (rec.hash !== o.hash) throw requestConflict(o.requestId);
  return rec.jobId;
}

/**
 * Whether this owner's request id already created a job (payload not compared: the create itself
 * does that). Lets an edge skip work a replay does not need, such as counting the rows again.
 */
export async function requestRecorded(r: Pick<Transaction, "get">, ownerId: string, requestId: string): Promise<boolean> {
  return (await r.get(requestPath(ownerId, requestId))) !== null;
}

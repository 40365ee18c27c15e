/**
 * One batch submit, made safe to retry: it carries a `requestId` generated once per submit
 * (crypto.randomUUID) and reused on every retry of THAT submit, so a retry after a lost reply or a
 * failed start returns the job the first attempt created instead of creating (and billing) a
 * second one. Only retryable failures (unreachable server, timeouts, 5xx) are retried, a few times
 * with backoff; a refused request (bad input, limit, conflict) is reported at once.
 */
import { BackendError, type CreateBatchInput } from "./types";
import type { Job } from "@core/batch/model";

export interface SubmitOptions {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Wait before retry `n` (1-based); default 1 s, 2 s, 4 s... */
  backoffMs?: (n: number) => number;
  sleep?: (ms: number) => Promise<void>;
  newRequestId?: () => string;
}

/** A v4 UUID; falls back to getRandomValues where randomUUID is missing (non-secure contexts). */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function submitCreate(
  input: CreateBatchInput,
  send: (input: CreateBatchInput & { requestId: string }) => Promise<Job>,
  opts: SubmitOptions = {},
): Promise<Job> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const request = { ...input, requestId: input.requestId ?? (opts.newRequestId ?? newRequestId)() };
  for (let n = 1; ; n++) {
    try {
      return await send(request);
    } catch (err) {
      const retryable = err instanceof BackendError && err.info.retryable;
      if (!retryable || n >= attempts) throw err;
      await (opts.sleep ?? wait)((opts.backoffMs ?? ((k) => 1_000 * 2 ** (k - 1)))(n));
    }
  }
}

/**
 * Per-user quotas on what spends the project's AI budget: AI calls per minute (previews and single
 * generations) and input rows per day (batch creation). Hosts call `consume` before doing the work;
 * going over answers `rate_limited` (retryable after the window ends), and asking for more than a
 * whole window allows answers `limit_exceeded`.
 *
 * Storage: one document per user and kind, `user_quotas/{uid}/counters/{kind}`, holding only the
 * current fixed window (`windowStart`, `used`); a new window overwrites the old one, so nothing
 * accumulates. Each accepted call is one transactional write to that document and a refused call
 * writes nothing, so a document takes at most `limit` writes per window: below Firestore's
 * sustained one write per second per document for limits up to 60 calls a minute.
 * Windows are fixed (aligned to the epoch: minutes, UTC days), so a burst across a boundary can
 * reach twice the limit briefly; that is the usual price of a single counter document.
 */
import { PermanentError, RetryableError, ValidationError } from "../errors";
import type { Clock } from "../ports/clock";
import { TransactionConflictError, type DocumentStore } from "../ports/store";

export type QuotaKind = "ai-calls" | "rows";

export interface QuotaLimits {
  aiCallsPerMinute: number;
  rowsPerDay: number;
}

export const DEFAULT_QUOTA_LIMITS: QuotaLimits = { aiCallsPerMinute: 20, rowsPerDay: 20_000 };

const WINDOW_MS: Record<QuotaKind, number> = { "ai-calls": 60_000, rows: 86_400_000 };
const UNIT: Record<QuotaKind, string> = { "ai-calls": "AI calls", rows: "rows" };
const WHAT: Record<QuotaKind, string> = { "ai-calls": "AI calls per minute", rows: "rows per day" };

export const QUOTA_COLLECTION = "user_quotas";
export const quotaPath = (uid: string, kind: QuotaKind): string => `${QUOTA_COLLECTION}/${uid}/counters/${kind}`;

interface Counter {
  windowStart: number;
  used: number;
}

export interface Consumed {
  /** Gives the amount back (the work it paid for was refused); a no-op in a later window. */
  refund(): Promise<void>;
}

export interface UserQuota {
  consume(uid: string, kind: QuotaKind, amount: number): Promise<Consumed>;
}

export interface UserQuotaDeps {
  store: DocumentStore;
  clock: Clock;
  limits: QuotaLimits;
}

function limitOf(limits: QuotaLimits, kind: QuotaKind): number {
  return kind === "ai-calls" ? limits.aiCallsPerMinute : limits.rowsPerDay;
}

function checkUid(uid: string): void {
  if (uid === "" || uid.includes("/") || uid.length > 128) {
    throw new ValidationError("invalid user id", [{ path: "uid", message: "must be 1-128 characters without '/'" }]);
  }
}

export function createUserQuota(deps: UserQuotaDeps): UserQuota {
  return {
    async consume(uid, kind, amount) {
      checkUid(uid);
      const limit = limitOf(deps.limits, kind);
      if (amount <= 0) return { refund: () => Promise.resolve() };
      if (amount > limit) {
        throw new PermanentError("limit_exceeded", `This needs ${amount} ${UNIT[kind]}, above the limit of ${limit} ${WHAT[kind]}`);
      }
      const windowStart = await take(deps, { uid, kind, amount, limit });
      return { refund: () => giveBack(deps, { uid, kind, amount, windowStart }) };
    },
  };
}

async function take(deps: UserQuotaDeps, q: { uid: string; kind: QuotaKind; amount: number; limit: number }): Promise<number> {
  const path = quotaPath(q.uid, q.kind);
  const windowMs = WINDOW_MS[q.kind];
  return busyAsUnavailable(() =>
    deps.store.runTransaction(
      async (tx) => {
        const now = deps.clock.now();
        const windowStart = Math.floor(now / windowMs) * windowMs;
        const doc = await tx.get<Partial<Counter>>(path);
        const used = doc && doc.data.windowStart === windowStart && typeof doc.data.used === "number" ? doc.data.used : 0;
        if (used + q.amount > q.limit) {
          const retryAfterMs = windowStart + windowMs - now;
          throw new RetryableError(
            "rate_limited",
            `Limit of ${q.limit} ${WHAT[q.kind]} reached; try again in ${Math.ceil(retryAfterMs / 1000)} s`,
            retryAfterMs,
          );
        }
        tx.set(path, { windowStart, used: used + q.amount } satisfies Counter);
        return windowStart;
      },
      { maxAttempts: 10 },
    ),
  );
}

/** Many calls of one user at the same instant can outlast the retries: a retryable refusal, not a 500. */
async function busyAsUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TransactionConflictError) throw new RetryableError("unavailable", "Too many requests at once; try again");
    throw err;
  }
}

async function giveBack(deps: UserQuotaDeps, q: { uid: string; kind: QuotaKind; amount: number; windowStart: number }): Promise<void> {
  const path = quotaPath(q.uid, q.kind);
  await deps.store.runTransaction(async (tx) => {
    const doc = await tx.get<Partial<Counter>>(path);
    if (!doc || doc.data.windowStart !== q.windowStart || typeof doc.data.used !== "number") return;
    tx.set(path, { windowStart: q.windowStart, used: Math.max(0, doc.data.used - q.amount) } satisfies Counter);
  });
}

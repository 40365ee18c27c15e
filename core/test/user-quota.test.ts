/**
 * Per-user quotas over the in-memory store (Firestore's transaction semantics): the limit holds
 * under concurrent calls, a refused call writes nothing, a new window starts from zero in the same
 * document, refunds give back, and a request larger than a whole window is refused outright.
 */
import { createUserQuota, quotaPath, type DocData } from "../src";
import { ManualClock, MemoryStore } from "../src/testing";

function setup(limits = { aiCallsPerMinute: 3, rowsPerDay: 100 }) {
  const store = new MemoryStore({ recordWrites: true });
  const clock = new ManualClock(10 * 60_000 + 5_000);
  return { store, clock, quota: createUserQuota({ store, clock, limits }) };
}

describe("user quota", () => {
  it("accepts up to the limit per minute, then answers rate_limited until the window ends", async () => {
    const { quota, clock, store } = setup();
    for (let i = 0; i < 3; i++) await quota.consume("alice", "ai-calls", 1);
    const writes = store.writeLog.length;
    await expect(quota.consume("alice", "ai-calls", 1)).rejects.toMatchObject({ code: "rate_limited", retryable: true, retryAfterMs: 55_000 });
    expect(store.writeLog.length).toBe(writes);
    expect((await store.get<DocData>(quotaPath("alice", "ai-calls")))?.data).toEqual({ windowStart: 10 * 60_000, used: 3 });
    // Another user has their own counter.
    await quota.consume("bob", "ai-calls", 1);
    await clock.advance(55_000);
    await quota.consume("alice", "ai-calls", 1);
    expect((await store.get<DocData>(quotaPath("alice", "ai-calls")))?.data).toEqual({ windowStart: 11 * 60_000, used: 1 });
    expect(await store.count("user_quotas/alice/counters")).toBe(1);
  });

  it("never lets concurrent calls past the limit", async () => {
    const { quota, store } = setup({ aiCallsPerMinute: 5, rowsPerDay: 100 });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => quota.consume("alice", "ai-calls", 1)));
    const accepted = outcomes.filter((o) => o.status === "fulfilled").length;
    const refusals = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as { code?: string; retryable?: boolean }] : []));
    // Contention may refuse a call early (retryable `unavailable`), never let one past the limit.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(5);
    for (const r of refusals) expect([r.code, r.retryable]).toEqual([expect.stringMatching(/^(rate_limited|unavailable)$/), true]);
    expect((await store.get<DocData>(quotaPath("alice", "ai-calls")))?.data.used).toBe(accepted);
  });

  it("counts rows per day, refunds refused work, and refuses a request above a whole day", async () => {
    const { quota, store } = setup();
    const first = await quota.consume("alice", "rows", 60);
    await expect(quota.consume("alice", "rows", 50)).rejects.toMatchObject({ code: "rate_limited" });
    await first.refund();
    await quota.consume("alice", "rows", 50);
    expect((await store.get<DocData>(quotaPath("alice", "rows")))?.data.used).toBe(50);
    await expect(quota.consume("alice", "rows", 101)).rejects.toMatchObject({ code: "limit_exceeded", retryable: false });
  });
});

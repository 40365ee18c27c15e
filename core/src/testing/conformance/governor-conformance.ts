/**
 * Conformance suite for Governor implementations (in-memory, SQLite-backed, store-backed): the
 * contract in `governor/port.ts`. Each case builds a fresh governor on a ManualClock starting at a
 * fixed time, so every figure below is exact. Imported by path from tests (jest globals).
 */
import { ManualClock } from "../manual-clock";
import type { Governor, LimitsTable, Permit, PermitAnswer, PermitRequest } from "../../governor/port";

export interface GovernorFixture {
  governor: Governor;
  cleanup?: () => Promise<void> | void;
}
/** Builds a governor over `clock` whose base limits are `defaults`. */
export type GovernorFactory = (o: { clock: ManualClock; defaults: LimitsTable }) => Promise<GovernorFixture> | GovernorFixture;

/** A Wednesday noon UTC: far from the provider's day boundary. */
export const CONFORMANCE_START = Date.UTC(2026, 0, 7, 12, 0, 0);

const M = "model-a";
const req = (o: Partial<PermitRequest> = {}): PermitRequest => ({ model: M, kind: "text", estimatedTokens: 10, maxDelayMs: 5_000, ...o });

function granted(a: PermitAnswer) {
  if (a.kind !== "granted") throw new Error(`expected granted, got ${JSON.stringify(a)}`);
  return a;
}

export function describeGovernorConformance(name: string, make: GovernorFactory): void {
  describe(`Governor conformance: ${name}`, () => {
    let fixture: GovernorFixture | undefined;
    let clock: ManualClock;
    const open = async (defaults: LimitsTable): Promise<Governor> => {
      clock = new ManualClock(CONFORMANCE_START);
      fixture = await make({ clock, defaults });
      return fixture.governor;
    };
    afterEach(async () => {
      await fixture?.cleanup?.();
      fixture = undefined;
    });

    it("grants at once when idle and frees the slot on report", async () => {
      const g = await open({ [M]: { rpm: 600, concurrency: 1 } });
      const a = granted(await g.acquire(req()));
      expect(a.delayMs).toBe(0);
      expect((await g.status(M)).inFlight).toBe(1);
      await g.report({ permit: a.permit, outcome: "ok", actualTokens: 10 });
      expect((await g.status(M)).inFlight).toBe(0);
    });

    it("answers wait when the model's concurrency is full, and grants once a slot frees", async () => {
      const g = await open({ [M]: { concurrency: 2 } });
      const a = granted(await g.acquire(req()));
      granted(await g.acquire(req()));
      const third = await g.acquire(req());
      expect(third).toMatchObject({ kind: "wait", reason: "concurrency" });
      await g.report({ permit: a.permit, outcome: "ok" });
      granted(await g.acquire(req()));
    });

    it("keeps per-job concurrency per job and per kind, under the shared model key", async () => {
      const g = await open({});
      const limits = { byKind: { image: 1 }, byModel: { "model-v": 1 } };
      granted(await g.acquire(req({ kind: "image", job: { id: "A", limits } })));
      expect(await g.acquire(req({ kind: "image", job: { id: "A", limits } }))).toMatchObject({ kind: "wait", reason: "job_concurrency" });
      granted(await g.acquire(req({ kind: "image", job: { id: "B", limits } })));
      granted(await g.acquire(req({ kind: "text", job: { id: "A", limits } })));
      granted(await g.acquire(req({ model: "model-v", kind: "video", job: { id: "A", limits } })));
      expect(await g.acquire(req({ model: "model-v", kind: "video", job: { id: "A", limits } }))).toMatchObject({ kind: "wait", reason: "job_concurrency" });
    });

    it("reserves request slots in order at the RPM, and defers beyond maxDelayMs", async () => {
      const g = await open({ [M]: { rpm: 60 } });
      // One second of burst at 1 request/s: two start now, the next ones 1 s apart.
      expect(granted(await g.acquire(req())).delayMs).toBe(0);
      expect(granted(await g.acquire(req())).delayMs).toBe(0);
      expect(granted(await g.acquire(req())).delayMs).toBe(1_000);
      expect(granted(await g.acquire(req())).delayMs).toBe(2_000);
      expect(await g.acquire(req({ maxDelayMs: 2_500 }))).toEqual({ kind: "defer", retryAfterMs: 3_000, reason: "rpm" });
      await clock.advance(3_000);
      expect(granted(await g.acquire(req())).delayMs).toBe(0);
    });

    it("counts estimated tokens against TPM and corrects them with the actual count", async () => {
      const g = await open({ [M]: { tpm: 6_000 } });
      const a = granted(await g.acquire(req({ estimatedTokens: 200 })));
      expect(a.delayMs).toBe(0);
      expect(granted(await g.acquire(req({ estimatedTokens: 100 }))).delayMs).toBe(1_000);
      // The first call really used no tokens: its 2 s of budget come back.
      await g.report({ permit: a.permit, outcome: "ok", actualTokens: 0 });
      expect(granted(await g.acquire(req({ estimatedTokens: 100 }))).delayMs).toBe(0);
    });

    it("cuts the model's rate for every caller on a 429 and honours Retry-After", async () => {
      const g = await open({ [M]: { rpm: 600 } });
      const a = granted(await g.acquire(req({ job: { id: "A" } })));
      await g.report({ permit: a.permit, outcome: "rate_limited", retryAfterMs: 4_000 });
      const s = await g.status(M);
      expect(s.effectiveRpm).toBeCloseTo(420, 5);
      expect(s.retryUntil).toBe(CONFORMANCE_START + 4_000);
      // Another job, same model: blocked until the Retry-After has passed.
      expect(await g.acquire(req({ job: { id: "B" }, maxDelayMs: 1_000 }))).toEqual({ kind: "defer", retryAfterMs: 4_000, reason: "retry_after" });
      expect(granted(await g.acquire(req({ job: { id: "B" }, maxDelayMs: 5_000 }))).delayMs).toBe(4_000);
      // Other models are not affected.
      expect(granted(await g.acquire(req({ model: "model-b" }))).delayMs).toBe(0);
    });

    it("cuts once for a burst of 429s from permits granted before the cut", async () => {
      const g = await open({ [M]: { rpm: 600 } });
      const permits = [];
      for (let i = 0; i < 3; i++) permits.push(granted(await g.acquire(req())).permit);
      await clock.advance(100);
      for (const permit of permits) await g.report({ permit, outcome: "rate_limited", retryAfterMs: 10 });
      expect((await g.status(M)).effectiveRpm).toBeCloseTo(420, 5);
    });

    it("does not confirm a reservation a 429 overtook while its Retry-After covers the start", async () => {
      const g = await open({ [M]: { rpm: 60 } });
      const confirm = (p: Permit): Promise<boolean> => {
        if (!g.confirm) throw new Error("this governor does not implement confirm");
        return g.confirm(p);
      };
      const a = granted(await g.acquire(req())).permit;
      granted(await g.acquire(req()));
      const late = granted(await g.acquire(req()));
      expect(late.delayMs).toBe(1_000);
      expect(await confirm(late.permit)).toBe(true);
      await g.report({ permit: a, outcome: "rate_limited", retryAfterMs: 4_000 });
      await clock.advance(late.delayMs);
      // Planned before the 429, due inside its Retry-After: stale.
      expect(await confirm(late.permit)).toBe(false);
      await g.report({ permit: late.permit, outcome: "not_called" });
      // Asked again: starts after the Retry-After, and is clear then.
      const again = granted(await g.acquire(req({ maxDelayMs: 10_000 })));
      expect(again.delayMs).toBeGreaterThanOrEqual(3_000);
      await clock.advance(again.delayMs);
      expect(await confirm(again.permit)).toBe(true);
    });

    it("grows the rate back with successes, never above the configured limit", async () => {
      const g = await open({ [M]: { rpm: 600 } });
      const first = granted(await g.acquire(req())).permit;
      await g.report({ permit: first, outcome: "rate_limited", retryAfterMs: 1 });
      let last = (await g.status(M)).effectiveRpm ?? 0;
      for (let i = 0; i < 1_200; i++) {
        await clock.advance(100);
        const a = await g.acquire(req());
        if (a.kind !== "granted") continue;
        await clock.advance(a.delayMs);
        await g.report({ permit: a.permit, outcome: "ok" });
        const now = (await g.status(M)).effectiveRpm ?? 600;
        expect(now).toBeGreaterThanOrEqual(last);
        expect(now).toBeLessThanOrEqual(600);
        last = now;
      }
      expect(last).toBe(600);
    });

    it("stops at the daily limit until the provider's next day, and gives back unused permits", async () => {
      const g = await open({ [M]: { rpd: 2 } });
      const a = granted(await g.acquire(req()));
      granted(await g.acquire(req()));
      const third = await g.acquire(req());
      expect(third).toMatchObject({ kind: "defer", reason: "rpd" });
      await g.report({ permit: a.permit, outcome: "not_called" });
      granted(await g.acquire(req()));
      const again = await g.acquire(req());
      if (again.kind !== "defer") throw new Error("expected defer");
      await clock.advance(again.retryAfterMs);
      granted(await g.acquire(req()));
      expect((await g.status(M)).dayCount).toBe(1);
    });

    it("ignores a second report of the same permit", async () => {
      const g = await open({ [M]: { concurrency: 2, rpm: 600 } });
      const a = granted(await g.acquire(req()));
      granted(await g.acquire(req()));
      await g.report({ permit: a.permit, outcome: "ok" });
      await g.report({ permit: a.permit, outcome: "rate_limited" });
      const s = await g.status(M);
      expect(s.inFlight).toBe(1);
      expect(s.effectiveRpm).toBeUndefined();
    });

    it("frees the slot of a permit never reported once it lapses", async () => {
      const g = await open({ [M]: { concurrency: 1 } });
      granted(await g.acquire(req({ holdUntil: CONFORMANCE_START + 30_000 })));
      expect((await g.acquire(req())).kind).toBe("wait");
      await clock.advance(31_000);
      granted(await g.acquire(req()));
    });

    it("applies limits changed at runtime to the next acquire, and null restores the default", async () => {
      const g = await open({ [M]: { concurrency: 3 } });
      granted(await g.acquire(req()));
      await g.setLimits({ [M]: { concurrency: 1 } });
      expect((await g.status(M)).limits.concurrency).toBe(1);
      expect((await g.acquire(req())).kind).toBe("wait");
      await g.setLimits({ [M]: null });
      expect((await g.status(M)).limits.concurrency).toBe(3);
      granted(await g.acquire(req()));
    });
  });
}

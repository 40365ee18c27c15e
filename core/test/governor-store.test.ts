/**
 * The store-backed governor (the Firestore design) on the in-memory store: the conformance suite,
 * the write budget measured with the store's own write counting (≤ 0.2 store writes per AI call,
 * no document above ~1 write/s), two instances sharing one store, limits from the settings
 * document, and the shared adaptive rate.
 */
import { ManualClock } from "../src/testing/manual-clock";
import { MemoryStore } from "../src/testing/memory-store";
import { StoreGovernor } from "../src/governor/store-governor";
import { GOVERNOR_SETTINGS_PATH, modelDocPath, writeGovernorSettings } from "../src/governor/store-docs";
import type { Governor, LimitsTable, PermitRequest } from "../src/governor/port";
import { describeGovernorConformance } from "../src/testing/conformance/governor-conformance";

describeGovernorConformance("store (memory store)", ({ clock, defaults }) => ({
  governor: new StoreGovernor({ store: new MemoryStore({ clock }), clock, instanceId: "i1", defaults }),
}));

const START = Date.UTC(2026, 0, 7, 12, 0, 0);
const M = "gemini-2.5-flash";
const req = (o: Partial<PermitRequest> = {}): PermitRequest => ({ model: M, kind: "text", estimatedTokens: 10, maxDelayMs: 5_000, ...o });

interface Drive {
  calls: number;
  /** Call start times (virtual ms). */
  starts: number[];
}

/**
 * Makes `calls` AI calls as fast as the governors allow: every turn each instance asks for a
 * permit, waits out its reservation (virtual time), and reports the call 2 s later. Deferrals and
 * waits advance the clock by what the governor said.
 */
async function drive(clock: ManualClock, governors: Governor[], calls: number): Promise<Drive> {
  const starts: number[] = [];
  const open: Array<{ g: Governor; at: number; permit: Parameters<Governor["report"]>[0]["permit"] }> = [];
  let next = 0;
  while (starts.length < calls) {
    const g = governors[next++ % governors.length] as Governor;
    const a = await g.acquire(req());
    if (a.kind === "granted") {
      starts.push(a.permit.startAt);
      open.push({ g, at: a.permit.startAt + 2_000, permit: a.permit });
    } else {
      await clock.advance(Math.min(a.kind === "wait" ? a.waitMs : a.retryAfterMs, 1_000));
    }
    // Report every call that has finished by now, then let time move to the next reservation.
    for (let i = open.length - 1; i >= 0; i--) {
      const o = open[i];
      if (o && o.at <= clock.now()) {
        await o.g.report({ permit: o.permit, outcome: "ok", actualTokens: 10 });
        open.splice(i, 1);
      }
    }
    if (a.kind === "granted" && a.delayMs > 0) await clock.advance(Math.min(a.delayMs, 200));
  }
  for (const o of open) await o.g.report({ permit: o.permit, outcome: "ok" });
  return { calls, starts };
}

/** Most writes one document got in any 10 s window, per second. */
function maxDocWritesPerSec(store: MemoryStore): { perSec: number; path: string } {
  const byPath = new Map<string, number[]>();
  for (const w of store.writeLog) byPath.set(w.path, [...(byPath.get(w.path) ?? []), w.time]);
  let best = { perSec: 0, path: "" };
  for (const [path, times] of byPath) {
    let lo = 0;
    for (let hi = 0; hi < times.length; hi++) {
      while ((times[hi] ?? 0) - (times[lo] ?? 0) >= 10_000) lo++;
      if ((hi - lo + 1) / 10 > best.perSec) best = { perSec: (hi - lo + 1) / 10, path };
    }
  }
  return best;
}

/** Most call starts in any 60 s window. */
function maxStartsPerMinute(starts: number[]): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] ?? 0) - (sorted[lo] ?? 0) >= 60_000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Starts per minute between the first and the last start. */
function averagePerMinute(starts: number[]): number {
  const span = Math.max(...starts) - Math.min(...starts);
  return ((starts.length - 1) * 60_000) / span;
}

function setup(limits: LimitsTable, instances = 1) {
  const clock = new ManualClock(START);
  const store = new MemoryStore({ clock, recordWrites: true });
  const governors = Array.from({ length: instances }, (_, i) => new StoreGovernor({ store, clock, instanceId: `i${i + 1}`, defaults: limits }));
  return { clock, store, governors };
}

describe("StoreGovernor write budget (5,000 calls, memory store write counting)", () => {
  it.each([60, 600, 3_000, 12_000])(
    "at %i RPM: at most 0.2 writes per call, no document above 1 write/s, the RPM respected",
    async (rpm) => {
      const { clock, store, governors } = setup({ [M]: { rpm } });
      const calls = rpm < 600 ? 1_000 : 5_000;
      const r = await drive(clock, governors, calls);
      const writesPerCall = store.writeLog.length / r.calls;
      const busiest = maxDocWritesPerSec(store);
      const perMin = maxStartsPerMinute(r.starts);
      process.stdout.write(
        `store governor @${rpm} RPM: ${r.calls} calls, ${store.writeLog.length} writes = ${writesPerCall.toFixed(3)}/call, busiest doc ${busiest.perSec}/s (${busiest.path}), max starts/min ${perMin}, average ${averagePerMinute(r.starts).toFixed(0)}/min\n`,
      );
      expect(writesPerCall).toBeLessThanOrEqual(0.2);
      expect(busiest.perSec).toBeLessThanOrEqual(1.1);
      // One second of burst on top of the rate.
      expect(perMin).toBeLessThanOrEqual(rpm + Math.ceil(rpm / 60) + 1);
      expect(averagePerMinute(r.starts)).toBeGreaterThanOrEqual(rpm * 0.95);
    },
    60_000,
  );

  it("two instances on one store together stay within the RPM (and within budget)", async () => {
    const rpm = 600;
    const { clock, store, governors } = setup({ [M]: { rpm } }, 2);
    const r = await drive(clock, governors, 5_000);
    const perMin = maxStartsPerMinute(r.starts);
    const writesPerCall = store.writeLog.length / r.calls;
    process.stdout.write(
      `two store governors @${rpm} RPM: max starts/min ${perMin}, average ${averagePerMinute(r.starts).toFixed(0)}/min, ${writesPerCall.toFixed(3)} writes/call, busiest doc ${maxDocWritesPerSec(store).perSec}/s\n`,
    );
    // Each instance spaces its own calls; the shard leases cap both together at a window's capacity.
    expect(perMin).toBeLessThanOrEqual(rpm + rpm / 12);
    expect(averagePerMinute(r.starts)).toBeGreaterThanOrEqual(rpm * 0.9);
    expect(writesPerCall).toBeLessThanOrEqual(0.2);
    expect(maxDocWritesPerSec(store).perSec).toBeLessThanOrEqual(1.1);
  }, 60_000);
});

describe("StoreGovernor shared state", () => {
  it("a 429 on one instance cuts the rate of the other one, with one write on governor/{model}", async () => {
    const { clock, store, governors } = setup({ [M]: { rpm: 600 } }, 2);
    const [a, b] = governors as [StoreGovernor, StoreGovernor];
    const p = await a.acquire(req());
    if (p.kind !== "granted") throw new Error("expected a permit");
    await a.report({ permit: p.permit, outcome: "rate_limited", retryAfterMs: 2_000 });
    expect(store.writeCount(modelDocPath(M))).toBe(1);
    await clock.advance(5_000);
    expect((await b.status(M)).effectiveRpm).toBeCloseTo(420 + (0.2 * 600 * 5) / 60, 5);
  });

  it("limits written to settings/governor reach a running instance within its refresh window, without a restart", async () => {
    const { clock, store, governors } = setup({ [M]: { concurrency: 5 } });
    const g = governors[0] as StoreGovernor;
    expect((await g.status(M)).limits.concurrency).toBe(5);
    await writeGovernorSettings(store, { limits: { [M]: { concurrency: 1 } }, replace: true, updatedAt: clock.now(), updatedBy: "admin-uid" });
    expect((await store.get(GOVERNOR_SETTINGS_PATH))?.data).toMatchObject({ updatedBy: "admin-uid" });
    await clock.advance(5_000);
    expect((await g.status(M)).limits.concurrency).toBe(1);
    expect((await g.acquire(req())).kind).toBe("granted");
    expect(await g.acquire(req())).toMatchObject({ kind: "wait", reason: "concurrency" });
  });

  it("starts moved to the next window's opening stay spaced at the rate (no burst the provider would refuse)", async () => {
    const { clock, governors } = setup({ [M]: { rpm: 600 } });
    const g = governors[0] as StoreGovernor;
    const starts: number[] = [];
    for (let t = 0; t < 4; t++) {
      for (let i = 0; i < 60; i++) {
        const a = await g.acquire(req());
        if (a.kind === "granted") starts.push(a.permit.startAt);
      }
      await clock.advance(1_000);
    }
    // Window 0 (5 s at 600 RPM) holds 50 starts; the next ones open window 1, 100 ms apart.
    const later = starts.filter((t) => t >= START + 5_000).sort((a, b) => a - b);
    expect(later.length).toBeGreaterThan(5);
    for (let i = 1; i < later.length; i++) expect((later[i] ?? 0) - (later[i - 1] ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it("two instances share a concurrency limit through slot leases", async () => {
    const { governors } = setup({ [M]: { concurrency: 4 } }, 2);
    const [a, b] = governors as [StoreGovernor, StoreGovernor];
    let granted = 0;
    for (let i = 0; i < 6; i++) {
      for (const g of [a, b]) if ((await g.acquire(req())).kind === "granted") granted += 1;
    }
    expect(granted).toBe(4);
  });
});

import { planLeases, takeLease, type ShardState } from "../src/governor/lease-math";

describe("lease math for a store-backed governor", () => {
  it.each([2, 10, 150, 600, 1_000, 4_000, 30_000])("at %d RPM: ≤ 0.2 writes per call and ≤ 1 write/s per shard", (rpm) => {
    const p = planLeases({ rpm });
    expect(p.writesPerCall).toBeLessThanOrEqual(0.2);
    expect(p.writesPerShardPerSec).toBeLessThanOrEqual(1);
    // The shards together never hand out more than the rate.
    expect((p.shards * p.perShardPerWindow * 60_000) / p.windowMs).toBeLessThanOrEqual(rpm + 1e-9);
  });

  it("never hands out more than a shard's capacity in one window, and says when the next opens", () => {
    let shard: ShardState = { windowStart: 0, granted: 0 };
    const o = { windowMs: 10_000, capacity: 12 };
    let total = 0;
    for (let i = 0; i < 5; i++) {
      const r = takeLease(shard, { ...o, now: 1_000 + i, want: 5 });
      shard = r.shard;
      total += r.granted;
    }
    expect(total).toBe(12);
    const empty = takeLease(shard, { ...o, now: 9_000, want: 5 });
    expect(empty).toMatchObject({ granted: 0, retryAt: 10_000 });
    const next = takeLease(shard, { ...o, now: 10_000, want: 5 });
    expect(next.granted).toBe(5);
    expect(next.shard).toEqual({ windowStart: 10_000, granted: 5 });
  });
});

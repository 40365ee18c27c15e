/**
 * The one token bucket every queue uses (SQLite queue, in-memory fake, the simulator's Cloud
 * Tasks model): an infinite rate is no limit, a finite one refills continuously up to its burst,
 * tokens short by floating-point noise count as whole, and time only moves forward.
 */
import { TokenBucket } from "../src/token-bucket";

describe("TokenBucket", () => {
  it("treats an infinite rate as no limit", () => {
    const open = new TokenBucket(Infinity, 0);
    for (let i = 0; i < 10_000; i++) open.take(0);
    expect(open.available(0)).toBe(Infinity);
    expect(open.tryTake(0)).toBe(true);
    expect(open.nextTokenAt(5)).toBe(5);
  });

  it("starts full at its burst, refills at the rate and never above the burst", () => {
    const b = new TokenBucket(100, 0, 10);
    expect(b.available(0)).toBe(10);
    for (let i = 0; i < 10; i++) expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(0)).toBe(false);
    expect(b.msToNextToken(0)).toBe(10);
    expect(b.nextTokenAt(0)).toBe(10);
    expect(b.available(10)).toBe(1);
    expect(b.available(10_000)).toBe(10);
  });

  it("defaults the burst to one second's worth, at least one token", () => {
    expect(new TokenBucket(50, 0).available(0)).toBe(50);
    expect(new TokenBucket(0.5, 0).available(0)).toBe(1);
    expect(new TokenBucket(100, 0, 0).available(0)).toBe(1);
  });

  it("counts a token short by floating-point noise as whole", () => {
    const b = new TokenBucket(3, 0, 1);
    b.take(0);
    // 1000/3 ms is not exact in binary: after it the bucket holds 1 − ε.
    const t = 1000 / 3;
    expect(b.available(t)).toBe(1);
    expect(b.msToNextToken(t)).toBe(0);
  });

  it("ignores a clock that goes back", () => {
    const b = new TokenBucket(10, 1_000, 1);
    b.take(1_000);
    expect(b.available(500)).toBe(0);
    expect(b.available(1_100)).toBe(1);
  });

  it("refuses a rate that is not above 0", () => {
    expect(() => new TokenBucket(0, 0)).toThrow(/above 0/);
    expect(() => new TokenBucket(Number.NaN, 0)).toThrow(/above 0/);
  });
});

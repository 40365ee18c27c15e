import { randomIds, seededIds, sequentialIds } from "../src/ids";
import { SeededRandom } from "../src/seeded-random";

describe("SeededRandom", () => {
  it("repeats its sequence for a seed and differs across seeds", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 20 }, a.next);
    expect(Array.from({ length: 20 }, b.next)).toEqual(seqA);
    expect(Array.from({ length: 20 }, c.next)).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("bool(p) and int(min, max) stay in range with roughly the asked frequency", () => {
    const r = new SeededRandom(1);
    const n = 20_000;
    let trues = 0;
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      if (r.bool(0.25)) trues++;
      seen.add(r.int(3, 6));
    }
    expect(trues / n).toBeGreaterThan(0.23);
    expect(trues / n).toBeLessThan(0.27);
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it("lognormal(mean, sigma) is positive with about the requested mean and a right tail", () => {
    const r = new SeededRandom(7);
    const xs = Array.from({ length: 50_000 }, () => r.lognormal(1_000, 0.5));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sorted = [...xs].sort((p, q) => p - q);
    const median = sorted[xs.length / 2]!;
    expect(xs.every((x) => x > 0)).toBe(true);
    expect(mean).toBeGreaterThan(970);
    expect(mean).toBeLessThan(1_030);
    expect(median).toBeLessThan(mean); // skewed right
  });

  it("shuffle permutes a copy; fork gives an independent but reproducible stream", () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const shuffled = new SeededRandom(3).shuffle(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new SeededRandom(3).fork().next()).toBe(new SeededRandom(3).fork().next());
    expect(() => new SeededRandom(1).pick([])).toThrow();
  });
});

describe("id sources", () => {
  it("randomIds gives unique 20-char base62 ids", () => {
    const ids = randomIds();
    const seen = new Set(Array.from({ length: 2_000 }, () => ids.newId()));
    expect(seen.size).toBe(2_000);
    for (const id of seen) expect(id).toMatch(/^[A-Za-z0-9]{20}$/);
  });

  it("sequentialIds sort in creation order", () => {
    const ids = sequentialIds("job");
    const list = Array.from({ length: 12 }, () => ids.newId());
    expect(list[0]).toBe("job000001");
    expect([...list].sort()).toEqual(list);
  });

  it("seededIds repeat for the same seed", () => {
    const a = seededIds(new SeededRandom(9).next);
    const b = seededIds(new SeededRandom(9).next);
    expect([a.newId(), a.newId()]).toEqual([b.newId(), b.newId()]);
    expect(a.newId()).toMatch(/^[A-Za-z0-9]{20}$/);
  });
});

/** The simulator's scheduling figures, on occupancies small enough to check by hand. */
import { groupMakespan, idealMakespan, ratio, strideMakespan } from "../src/sim/metrics";
import { Rng } from "../src/sim/random";

describe("makespan bounds", () => {
  test.each([
    // occupancies, C, ideal, groups of C, stride chains
    [[4, 4, 4, 4], 2, 8, 8, 8],
    [[10, 1, 1, 1], 2, 10, 11, 11], // one long row bounds the ideal
    [[5, 1, 1, 5], 2, 6, 10, 6], // groups {5,1},{1,5} wait 5+5; chains 0:[5,1] 1:[1,5]
    [[1, 2, 3, 4, 5, 6], 3, 7, 9, 9], // sum 21/3; groups 3+6; chains [1,4],[2,5],[3,6]
    [[7], 5, 7, 7, 7],
  ])("%j at C=%i", (occ, c, ideal, group, stride) => {
    expect(idealMakespan(occ, c)).toBe(ideal);
    expect(groupMakespan(occ, c)).toBe(group);
    expect(strideMakespan(occ, c)).toBe(stride);
  });

  test("the ideal is a lower bound of both simple dispatchers on random occupancies", () => {
    const rng = new Rng(9);
    for (let k = 0; k < 50; k++) {
      const c = rng.int(1, 12);
      const occ = Array.from({ length: rng.int(1, 200) }, () => rng.lognormal(1000, 1));
      const ideal = idealMakespan(occ, c);
      expect(groupMakespan(occ, c)).toBeGreaterThanOrEqual(ideal - 1e-6);
      expect(strideMakespan(occ, c)).toBeGreaterThanOrEqual(ideal - 1e-6);
      expect(ratio(ideal, groupMakespan(occ, c))).toBeLessThanOrEqual(1);
    }
  });
});

describe("seeded random", () => {
  test("same seed, same stream; lognormal keeps its mean; sigma 0 is constant", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    const r = new Rng(1);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.lognormal(3000, 0.5);
    expect(Math.abs(sum / n - 3000) / 3000).toBeLessThan(0.03);
    expect(r.lognormal(3000, 0)).toBe(3000);
  });
});

/**
 * The simulator's seeded randomness: SeededRandom (mulberry32) with the simulator's seed mixing,
 * so a `--seed` keeps giving the run it always gave, and forks salted per component.
 */
import { SeededRandom } from "../seeded-random";

export class Rng extends SeededRandom {
  constructor(seed: number) {
    super(((seed >>> 0) ^ 0x9e3779b9) >>> 0);
  }

  /** True with probability `p` (never for p ≤ 0, and then nothing is drawn). */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** An independent stream derived from this one (so adding draws in one place does not shift another). */
  forkSalted(salt: number): Rng {
    return new Rng(Math.floor(this.next() * 2 ** 31) ^ salt);
  }
}

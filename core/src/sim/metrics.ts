/**
 * Scheduling figures over per-row occupancy (the engine time a row used, summed over its attempts):
 *   ideal      = max(Σ occupancy / C, max occupancy): no dispatcher with C slots can do better;
 *   group      = Σ over consecutive groups of C rows of the group's longest row (wait for the group);
 *   stride     = the longest of C fixed chains where row i+C follows row i.
 */
export function idealMakespan(occ: number[], c: number): number {
  let sum = 0;
  let max = 0;
  for (const o of occ) {
    sum += o;
    if (o > max) max = o;
  }
  return Math.max(sum / c, max);
}

export function groupMakespan(occ: number[], c: number): number {
  let total = 0;
  for (let i = 0; i < occ.length; i += c) total += Math.max(0, ...occ.slice(i, i + c));
  return total;
}

export function strideMakespan(occ: number[], c: number): number {
  const chains = new Array<number>(c).fill(0);
  occ.forEach((o, i) => {
    chains[i % c] = (chains[i % c] ?? 0) + o;
  });
  return Math.max(0, ...chains);
}

export const ratio = (ideal: number, actual: number): number => (actual > 0 ? round(ideal / actual, 4) : 0);
export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

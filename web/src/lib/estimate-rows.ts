/**
 * The rows an estimate request carries: every row of a small CSV, else an evenly spread sample
 * (sent with the total, which the server scales up to), so a large upload is not sent twice.
 */
export const ESTIMATE_SAMPLE_ROWS = 200;

export function estimateRows<T>(rows: readonly T[], max = ESTIMATE_SAMPLE_ROWS): T[] {
  if (rows.length <= max) return [...rows];
  return Array.from({ length: max }, (_, i) => rows[Math.floor((i * rows.length) / max)] as T);
}

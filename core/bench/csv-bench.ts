/**
 * CSV throughput: parseCsv and toCsv on a generated 10,000 × 10 table (a quarter of the cells
 * quoted, with commas, quotes, line breaks and non-ASCII text), side by side with a naive
 * `split("\n").split(",")` baseline on the same bytes, so the ratio says what the real grammar
 * costs. Usage: node scripts/run-ts.js core/bench/csv-bench.ts [rows] [runs]
 */
import { parseCsv } from "../src/csv/read";
import { toCsv } from "../src/csv/write";

const rowsWanted = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 5);
const COLUMNS = Array.from({ length: 10 }, (_, i) => `column_${i + 1}`);

function cellFor(r: number, c: number): string {
  switch ((r * 7 + c) % 8) {
    case 0:
      return `Product ${r}, size ${c}`; // comma: quoted
    case 1:
      return `A "quoted" phrase ${r}`; // quotes: quoted, doubled
    case 2:
      return `Line one ${r}\nLine two`; // line break: quoted
    case 3:
      return `Café crème ${r} — 日本語 🎉`;
    default:
      return `plain text value ${r}-${c} lorem ipsum dolor sit amet`;
  }
}

function table(n: number): Record<string, string>[] {
  return Array.from({ length: n }, (_, r) => Object.fromEntries(COLUMNS.map((col, c) => [col, cellFor(r, c)])));
}

/** Best-of-`runs` wall time in ms. */
function best(fn: () => unknown): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

function main(): void {
  const rows = table(rowsWanted);
  const text = toCsv(COLUMNS, rows);
  const bytes = Buffer.byteLength(text, "utf8");
  const parsed = parseCsv(text, { maxRows: rowsWanted });
  if (parsed.rows.length !== rowsWanted) throw new Error(`parsed ${parsed.rows.length} rows, wanted ${rowsWanted}`);

  const coldStart = performance.now();
  parseCsv(text, { maxRows: rowsWanted });
  const coldMs = performance.now() - coldStart;
  const parseMs = best(() => parseCsv(text, { maxRows: rowsWanted }));
  const writeMs = best(() => toCsv(COLUMNS, rows));
  const naiveMs = best(() => text.split("\n").map((line) => line.split(",")));

  const perSec = (ms: number): string => Math.round((rowsWanted / ms) * 1000).toLocaleString("en-US");
  const mbPerSec = (ms: number): string => (bytes / 1e6 / (ms / 1000)).toFixed(1);
  console.log(`table: ${rowsWanted} rows × ${COLUMNS.length} columns, ${(bytes / 1e6).toFixed(2)} MB; best of ${runs} runs`);
  console.log(`parseCsv:        ${parseMs.toFixed(1)} ms  ${perSec(parseMs)} rows/s  ${mbPerSec(parseMs)} MB/s`);
  console.log(`parseCsv (cold): ${coldMs.toFixed(1)} ms  ${perSec(coldMs)} rows/s`);
  console.log(`toCsv:           ${writeMs.toFixed(1)} ms  ${perSec(writeMs)} rows/s  ${mbPerSec(writeMs)} MB/s`);
  console.log(`naive split:     ${naiveMs.toFixed(1)} ms  (wrong on quoted cells; lower bound)`);
  console.log(`parseCsv / naive split time ratio: ${(parseMs / naiveMs).toFixed(1)}×`);
}

main();

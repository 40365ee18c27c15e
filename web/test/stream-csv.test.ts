/**
 * The CSV dialog's streamed read: the head arrives before the file is read through, progress
 * grows to the file's size, the rows match a whole-file parse, and a bad row is still refused.
 */
import { parseCsv } from "@core/csv/read";
import { ValidationError } from "@core/errors";
import { streamCsv, type CsvReadProgress } from "../src/new-batch/stream-csv";

const limits = { maxRows: 500_000, maxColumns: 100, maxCellBytes: 1 << 20 };
const csvOf = (n: number): string => `id,name,note\r\n${Array.from({ length: n }, (_, i) => `${i},"n ${i}","a, ""b"""\r\n`).join("")}`;

describe("streamCsv", () => {
  it("reports the head early and progress up to the whole file", async () => {
    const text = csvOf(50_000);
    // In parts, as a browser's Blob.stream() hands a file over in chunks of some KiB.
    const blob = new Blob(Array.from({ length: Math.ceil(text.length / 16_384) }, (_, i) => text.slice(i * 16_384, (i + 1) * 16_384)));
    const progress: CsvReadProgress[] = [];
    let headAt: number | null = null;
    let head: { columns: string[]; rows: Record<string, string>[] } | null = null;
    const table = await streamCsv(blob, limits, {
      headRows: 5,
      progressEvery: 64 * 1024,
      onHead: (h) => {
        head = h;
        headAt = progress.length;
      },
      onProgress: (p) => progress.push(p),
    });
    expect(head).toEqual({ columns: ["id", "name", "note"], rows: parseCsv(text).rows.slice(0, 5) });
    // The head came before most of the progress reports, i.e. before the file was read through.
    expect(headAt).not.toBeNull();
    expect(headAt ?? Infinity).toBeLessThan(progress.length / 2);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.map((p) => p.bytes)).toEqual([...progress.map((p) => p.bytes)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ bytes: blob.size, totalBytes: blob.size, rows: 50_000 });
    expect(table.columns).toEqual(["id", "name", "note"]);
    expect(table.rows).toEqual(parseCsv(text).rows);
  });

  it("refuses a file with a broken row, naming it", async () => {
    const text = `${csvOf(1_000)}1,2,3,4\r\n`;
    await expect(streamCsv(new Blob([text]), limits)).rejects.toBeInstanceOf(ValidationError);
  });
});

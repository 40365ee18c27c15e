/**
 * createJobFromRows: a create from rows read as a stream, twice (check, then write). It stores
 * exactly what createJob stores for the same rows, writes nothing on bad input (the first
 * problems are listed, with the total), holds at most one commit of rows in memory, and leaves
 * nothing behind when the rows change between its passes.
 */
import { ValidationError } from "../src/errors";
import { STAGING } from "../src/batch/create-staging";
import { STREAM_COMMIT_BYTES } from "../src/batch/create-streamed";
import type { RowSource } from "../src/batch/api";
import { csvRowSource } from "../src/csv/source";
import { COLUMNS, TWO_STEP_FLOW, rowsOf } from "./support/batch-harness";
import { makeCreateHarness, wideRows } from "./support/create-harness";

const owner = { ownerId: "u1" };
const SMALL_COMMITS = { maxWrites: 500, maxBytes: 200_000 };
/** SQLite's limits: many writes, no byte cap. */
const SQLITE_COMMITS = { maxWrites: 500, maxBytes: Number.POSITIVE_INFINITY };

function arraySource(rows: Record<string, string>[], onYield?: (pass: number, i: number) => void): RowSource & { opens: number } {
  const src = {
    opens: 0,
    async *open(): AsyncGenerator<Record<string, string>> {
      const pass = ++src.opens;
      for (let i = 0; i < rows.length; i++) {
        onYield?.(pass, i);
        yield rows[i]!;
      }
    },
  };
  return src;
}

/** CSV text in pieces of `piece` characters (cut anywhere). */
function csvSource(text: string, piece = 997): RowSource {
  return csvRowSource(async function* () {
    for (let i = 0; i < text.length; i += piece) yield text.slice(i, i + piece);
  }, {});
}

const rowDocs = (h: ReturnType<typeof makeCreateHarness>, jobId: string): unknown[] =>
  Object.entries(h.store.snapshot(`batch_jobs/${jobId}/rows`))
    .sort(([a], [b]) => Number(a.split("/").pop()) - Number(b.split("/").pop()))
    .map(([, d]) => d);

describe("createJobFromRows stores what createJob stores", () => {
  test.each([
    ["one commit", undefined, 450],
    ["staged", SMALL_COMMITS, 1_200],
  ] as const)("%s", async (_name, commitLimits, n) => {
    const rows = wideRows(n, 300);
    const a = makeCreateHarness(commitLimits ? { commitLimits } : {});
    const b = makeCreateHarness(commitLimits ? { commitLimits } : {});
    const fromArray = await a.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows });
    const text = `topic,note\n${rows.map((r) => `${r.topic},${r.note}`).join("\r\n")}\n`;
    const { job } = await b.handlers.createJobFromRows({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, source: csvSource(text) });
    expect(job.totalRows).toBe(n);
    expect(job).toEqual(fromArray);
    expect(rowDocs(b, job.id)).toEqual(rowDocs(a, fromArray.id));
    expect(b.store.docCount(STAGING)).toBe(0);
  });

  test("a repeated request id returns the first job and leaves no second copy of the rows", async () => {
    const h = makeCreateHarness({ commitLimits: SMALL_COMMITS });
    const input = { ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, requestId: "r-1", source: arraySource(wideRows(1_000, 300)) };
    const first = await h.handlers.createJobFromRows(input);
    const docs = h.store.docCount();
    const again = await h.handlers.createJobFromRows(input);
    expect(again).toEqual({ job: first.job, replayed: true });
    expect(h.store.docCount()).toBe(docs);
  });
});

describe("createJobFromRows writes nothing on bad input", () => {
  test("bad rows anywhere: the first 50 problems, the total in the message, no write", async () => {
    const h = makeCreateHarness({ limits: { maxCellBytes: 100 } });
    const rows = rowsOf(5_000, (i) => (i % 10 === 9 ? "n".repeat(101) : ""));
    const err = await h.handlers.createJobFromRows({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, source: arraySource(rows) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const details = (err as ValidationError).details ?? [];
    expect(details).toHaveLength(50);
    expect(details[0]).toEqual({ path: "rows[9].note", message: "cell is 101 bytes; at most 100 allowed" });
    expect((err as Error).message).toMatch(/500 problems; the first 50 are listed/);
    expect(h.store.writeLog).toHaveLength(0);
  });

  test("too many rows, and a flow naming a missing column: both listed, no write, the rows read once", async () => {
    const h = makeCreateHarness({ limits: { maxRows: 100 } });
    const source = arraySource(rowsOf(150));
    const err = await h.handlers.createJobFromRows({ ...owner, flow: TWO_STEP_FLOW, columns: ["topic"], source }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const paths = ((err as ValidationError).details ?? []).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["rows"]));
    expect(paths.some((p) => p.startsWith("flow"))).toBe(true);
    expect(source.opens).toBe(1);
    expect(h.store.writeLog).toHaveLength(0);
  });

  test("a CSV with a broken quote near the end: the CSV's error, no write", async () => {
    const h = makeCreateHarness();
    const text = `topic,note\n${rowsOf(3_000)
      .map((r) => `${r.topic},x`)
      .join("\n")}\n"open,x\n`;
    const err = await h.handlers.createJobFromRows({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, source: csvSource(text) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(((err as ValidationError).details ?? [])[0]?.path).toBe("rows[3000]");
    expect(h.store.writeLog).toHaveLength(0);
  });
});

describe("createJobFromRows memory and failure", () => {
  test("rows read but not yet committed stay within one commit budget (SQLite limits: no byte cap)", async () => {
    const h = makeCreateHarness({ commitLimits: SQLITE_COMMITS });
    const rows = wideRows(20_000, 1_000); // about 20 MB
    let read = 0;
    let written = 0;
    let maxPending = 0;
    h.failCommit = (info) => {
      if (info.kind === "batch") written += info.paths.length * 200; // chunks of 200 rows
      return false;
    };
    const source = arraySource(rows, (pass) => {
      if (pass !== 2) return;
      read += 1;
      maxPending = Math.max(maxPending, read - written);
    });
    const { job } = await h.handlers.createJobFromRows({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, source });
    expect(job.totalRows).toBe(20_000);
    expect(rowDocs(h, job.id)).toHaveLength(100);
    // One commit's worth of ~1 KB rows, plus the chunk being cut.
    expect(maxPending).toBeLessThanOrEqual(Math.ceil(STREAM_COMMIT_BYTES / 1_000) + 200);
    expect(maxPending).toBeLessThan(20_000 / 2);
  });

  test("rows that change between the passes: unavailable, staging removed, no job", async () => {
    const h = makeCreateHarness({ commitLimits: SMALL_COMMITS });
    const rows = wideRows(1_000, 300);
    const source = arraySource(rows, (pass, i) => {
      if (pass === 2 && i === 999) rows[999] = { topic: "changed", note: "" };
    });
    const err = await h.handlers.createJobFromRows({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, source }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("unavailable");
    expect(h.store.writeLog.some((w) => w.path.includes("/rows/"))).toBe(true);
    expect(h.store.docCount()).toBe(0);
  });
});

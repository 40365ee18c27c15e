import fc from "fast-check";
import { CsvStreamParser, ValidationError, parseCsv, type ParseCsvOptions } from "../src";

/** Feeds `text` to a stream parser in pieces cut at `cuts`; the outcome as plain data. */
function streamed(text: string, cuts: number[], opts: ParseCsvOptions = {}): unknown {
  const rows: Record<string, string>[] = [];
  const indexes: number[] = [];
  try {
    const parser = new CsvStreamParser(opts, (row, i) => {
      rows.push(row);
      indexes.push(i);
    });
    let from = 0;
    for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
      parser.push(text.slice(from, cut));
      from = cut;
    }
    parser.push(text.slice(from));
    const { columns, rowCount } = parser.end();
    expect(indexes).toEqual(rows.map((_, i) => i));
    expect(rowCount).toBe(rows.length);
    return { columns, rows };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { error: err.message, details: err.details };
  }
}

function whole(text: string, opts: ParseCsvOptions = {}): unknown {
  try {
    return parseCsv(text, opts);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { error: err.message, details: err.details };
  }
}

// Text made of the characters that matter to the grammar, so quotes and breaks land at every cut.
const csvText = fc.array(fc.constantFrom("a", "b", ",", '"', "\r", "\n", "\r\n", '""', "\uFEFF", "é"), { maxLength: 60 }).map((parts) => parts.join(""));

describe("CsvStreamParser", () => {
  it("gives parseCsv's rows or error for any text cut into pieces anywhere", () => {
    fc.assert(
      fc.property(csvText, fc.array(fc.nat(), { maxLength: 8 }), (text, raw) => {
        const cuts = raw.map((n) => n % (text.length + 1));
        expect(streamed(text, cuts, { maxRows: 5 })).toEqual(whole(text, { maxRows: 5 }));
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps a CRLF split across two pieces as one line break", () => {
    expect(streamed('h\r\n"x"\r\ny\r\n', [8, 3])).toEqual({ columns: ["h"], rows: [{ h: "x" }, { h: "y" }] });
  });

  it("keeps an escaped quote split across two pieces", () => {
    expect(streamed('h\n"a""b"\n', [5])).toEqual({ columns: ["h"], rows: [{ h: 'a"b' }] });
  });

  it("hands out rows as their records complete, before the end of the input", () => {
    const seen: string[] = [];
    const parser = new CsvStreamParser({}, (row) => seen.push(row.h ?? ""));
    parser.push("h\nfirst\nsec");
    expect(seen).toEqual(["first"]);
    parser.push("ond\n");
    expect(seen).toEqual(["first", "second"]);
    expect(parser.end()).toEqual({ columns: ["h"], rowCount: 2 });
  });
});

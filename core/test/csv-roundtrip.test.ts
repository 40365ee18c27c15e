/**
 * Properties (fast-check): any table of unicode strings, including quotes, commas, CR, LF, BOMs
 * and lone surrogates, survives toCsv → parseCsv unchanged, except the documented one-way formula
 * escape (checked as its own property, with its plain-number exemption); and parseCsv on arbitrary text either returns or throws a
 * ValidationError, never anything else.
 */
import fc from "fast-check";
import { ValidationError } from "../src/errors";
import { parseCsv } from "../src/csv/read";
import { csvLine, escapeFormula, toCsv } from "../src/csv/write";
import { reservedKeyProblem } from "../src/json-limits";

const TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", " =", "\u200B+", "\uFEFF-", "\u00A0@", "\uFF1D", "\uFF20"];
/** Text the writer formula-escapes (its one rule, also for leading spaces and full-width signs). */
const startsWithTrigger = (s: string): boolean => escapeFormula(s) !== s;

/** One "character": CSV-significant text is drawn often, any code point the rest of the time. */
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('"', ",", "\r", "\n", "\r\n", '""', " ", "'", "\uFEFF", "\uD800", "é", "👩‍💻") },
  { weight: 5, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom("=", "+", "-", "@", "\t") },
);
const anyText = fc.string({ unit, maxLength: 12 });
/** Text that the writer does not formula-escape, so it must come back exactly. */
const safeCell = anyText.map((s) => (startsWithTrigger(s) ? `x${s}` : s));
const columnName = safeCell.filter((s) => s.trim() !== "" && reservedKeyProblem(s) === null);

const table = fc.uniqueArray(columnName, { minLength: 1, maxLength: 5 }).chain((columns) =>
  fc.record({
    columns: fc.constant(columns),
    rows: fc
      .array(fc.tuple(...columns.map(() => safeCell)), { maxLength: 8 })
      .map((tuples) => tuples.map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i]!])))),
  }),
);

describe("CSV round trip", () => {
  it("toCsv then parseCsv returns the same columns and rows", () => {
    fc.assert(
      fc.property(table, ({ columns, rows }) => {
        expect(parseCsv(toCsv(columns, rows))).toEqual({ columns, rows });
      }),
      { numRuns: 500 },
    );
  });

  it("a string starting with a formula trigger comes back with exactly one leading quote", () => {
    const risky = fc.tuple(fc.constantFrom(...TRIGGERS), anyText).map(([t, rest]) => t + rest);
    fc.assert(
      fc.property(risky, (value) => {
        const { rows } = parseCsv(toCsv(["v"], [{ v: value }]));
        expect(rows).toEqual([{ v: `'${value}` }]);
      }),
      { numRuns: 300 },
    );
  });

  it("streams the same text as toCsv, line by line", () => {
    fc.assert(
      fc.property(table, ({ columns, rows }) => {
        const streamed = [csvLine(columns), ...rows.map((r) => csvLine(columns.map((c) => r[c])))].join("");
        expect(streamed).toBe(toCsv(columns, rows));
      }),
      { numRuns: 100 },
    );
  });
});

describe("parseCsv on arbitrary text", () => {
  it("returns a consistent table or throws a ValidationError with details", () => {
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (text) => {
        let parsed;
        try {
          parsed = parseCsv(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          expect((err as ValidationError).details?.length).toBeGreaterThan(0);
          return;
        }
        for (const row of parsed.rows) expect(Object.keys(row)).toEqual(parsed.columns);
        expect(new Set(parsed.columns).size).toBe(parsed.columns.length);
      }),
      { numRuns: 1000 },
    );
  });
});

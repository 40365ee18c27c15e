/**
 * parseCsv on invalid input: each error is a ValidationError (code invalid_input) whose details
 * name the exact place (`header`, `columns[i]`, `rows[i]`, `rows[i].column`) and say what is
 * wrong and how to fix it. Nothing partial is returned.
 */
import { ValidationError } from "../src/errors";
import { type ParseCsvOptions, parseCsv } from "../src/csv/read";

function parseError(text: string, opts?: ParseCsvOptions): ValidationError {
  try {
    parseCsv(text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error("expected parseCsv to throw");
}

interface Case {
  name: string;
  text: string;
  opts?: ParseCsvOptions;
  /** Expected details, in order: path and fragments its message must contain. */
  details: { path: string; contains: string[] }[];
}

const cases: Case[] = [
  { name: "empty text", text: "", details: [{ path: "header", contains: ["no header line"] }] },
  { name: "only a BOM and newlines", text: "\uFEFF\n\r\n", details: [{ path: "header", contains: ["no header line"] }] },
  { name: "empty header in the middle", text: "a,,c\n1,2,3\n", details: [{ path: "columns[1]", contains: ["Column 2", "no name"] }] },
  {
    name: "header of commas",
    text: ",\n1,2\n",
    details: [
      { path: "columns[0]", contains: ["Column 1"] },
      { path: "columns[1]", contains: ["Column 2"] },
    ],
  },
  { name: "blank header", text: "a,  \n1,2\n", details: [{ path: "columns[1]", contains: ["Column 2", "blank name", '"  "'] }] },
  {
    name: "duplicate header",
    text: "title,body,title\n1,2,3\n",
    details: [{ path: "columns[2]", contains: ["Column 3", '"title"', "repeats", "column 1", "unique"] }],
  },
  {
    name: "every header problem at once",
    text: "a,a,,a\n",
    details: [
      { path: "columns[1]", contains: ["Column 2", '"a"', "column 1"] },
      { path: "columns[2]", contains: ["Column 3", "no name"] },
      { path: "columns[3]", contains: ["Column 4", '"a"', "column 1"] },
    ],
  },
  { name: "reserved header", text: "__proto__\n1\n", details: [{ path: "columns[0]", contains: ["__proto__", "reserved"] }] },
  {
    name: "row with more cells than the header",
    text: "a,b\n1,2\n1,2,3\n",
    details: [{ path: "rows[1]", contains: ["Row 2 (line 3)", "3 cells", "2 columns", "quote"] }],
  },
  {
    name: "several long rows are all reported, line numbers count skipped lines and quoted breaks",
    text: 'a\n"x\ny"\n\n1,2\n3\n4,5,6\n',
    details: [
      { path: "rows[1]", contains: ["Row 2 (line 5)", "2 cells", "1 column;"] },
      { path: "rows[3]", contains: ["Row 4 (line 7)", "3 cells"] },
    ],
  },
  {
    name: "unterminated quote names the row where it opened",
    text: 'a,b\n1,2\n3,"open\nmore\nstill open\n',
    details: [{ path: "rows[1]", contains: ["Row 2 (line 3)", 'column 2 ("b")', "never closed"] }],
  },
  {
    name: "unterminated quote in the header",
    text: 'a,"b\n1,2\n',
    details: [{ path: "header", contains: ["Header (line 1)", "cell 2", "never closed"] }],
  },
  {
    name: "text after a closing quote",
    text: 'a,b\n"x"y,z\n',
    details: [{ path: "rows[0]", contains: ["Row 1 (line 2)", 'column 1 ("a")', "after its closing quote", '""'] }],
  },
  {
    name: "text after a closing quote on a later line of the cell",
    text: 'a\n"x\n"oops\n',
    details: [{ path: "rows[0]", contains: ["Row 1 (line 2)", "on line 3"] }],
  },
  {
    name: "too many rows",
    text: "a\n1\n2\n3\n",
    opts: { maxRows: 2 },
    details: [{ path: "rows[2]", contains: ["more than 2 rows", "maxRows", "at most 2 rows"] }],
  },
  {
    name: "too many columns",
    text: "a,b,c,d\n1,2,3,4\n",
    opts: { maxColumns: 3 },
    details: [{ path: "columns[3]", contains: ["4 columns", "at most 3", "maxColumns", "remove"] }],
  },
  {
    name: "cell too large counts UTF-8 bytes, not characters",
    text: "a,b\nok,éé\n",
    opts: { maxCellBytes: 3 },
    details: [{ path: "rows[0].b", contains: ["Row 1 (line 2)", 'column "b"', "4 bytes", "at most 3 UTF-8 bytes", "maxCellBytes"] }],
  },
  {
    name: "header name too large",
    text: "abcd\n1\n",
    opts: { maxCellBytes: 3 },
    details: [{ path: "columns[0]", contains: ["Column 1", "longer than 3", "maxCellBytes"] }],
  },
  {
    name: "row problems collected before a syntax error are kept",
    text: 'a\n1,2\n"open\n',
    details: [
      { path: "rows[0]", contains: ["Row 1 (line 2)", "2 cells"] },
      { path: "rows[1]", contains: ["Row 2 (line 3)", "never closed"] },
    ],
  },
];

describe("parseCsv errors", () => {
  test.each(cases)("$name", ({ text, opts, details }) => {
    const err = parseError(text, opts);
    expect(err.code).toBe("invalid_input");
    expect(err.retryable).toBe(false);
    expect(err.details?.map((d) => d.path)).toEqual(details.map((d) => d.path));
    details.forEach((want, i) => {
      for (const fragment of want.contains) expect(err.details![i]!.message).toContain(fragment);
    });
    // The top-level message leads with the first problem so a one-line display is useful.
    expect(err.message).toContain(err.details![0]!.message);
  });

  it("counts the other problems in the top-level message", () => {
    const err = parseError("a\n1,2\n3,4\n5,6\n");
    expect(err.details).toHaveLength(3);
    expect(err.message).toMatch(/and 2 more problems/);
  });

  it("lists the first 20 row problems and counts all of them", () => {
    const err = parseError("a\n" + "1,2\n".repeat(50));
    expect(err.details).toHaveLength(20);
    expect(err.details![19]!.path).toBe("rows[19]");
    expect(err.message).toMatch(/and 49 more problems; the first 20 are listed\)$/);
  });

  it("reports the row limit without reading the rest of the file", () => {
    // Row 3 would be a syntax error, but the limit is hit first.
    const err = parseError('a\n1\n2\n"never closed', { maxRows: 2 });
    expect(err.details).toEqual([expect.objectContaining({ path: "rows[2]" })]);
  });

  it("serialises to ErrorInfo with details for API responses", () => {
    const info = parseError("a,a\n").toInfo();
    expect(info).toMatchObject({ code: "invalid_input", retryable: false, details: [{ path: "columns[1]" }] });
  });
});

/**
 * parseCsv on valid input: every reading rule, one table row each, compared against the exact
 * columns and rows expected.
 */
import { parseCsv } from "../src/csv/read";

interface Case {
  name: string;
  text: string;
  columns: string[];
  rows: Record<string, string>[];
}

const cases: Case[] = [
  {
    name: "simple LF file",
    text: "a,b\n1,2\n3,4\n",
    columns: ["a", "b"],
    rows: [
      { a: "1", b: "2" },
      { a: "3", b: "4" },
    ],
  },
  { name: "no trailing newline", text: "a,b\n1,2", columns: ["a", "b"], rows: [{ a: "1", b: "2" }] },
  { name: "trailing newline adds no row", text: "a\nx\n", columns: ["a"], rows: [{ a: "x" }] },
  {
    name: "CRLF line endings",
    text: "a,b\r\n1,2\r\n3,4\r\n",
    columns: ["a", "b"],
    rows: [
      { a: "1", b: "2" },
      { a: "3", b: "4" },
    ],
  },
  {
    name: "lone CR line endings",
    text: "a,b\r1,2\r3,4\r",
    columns: ["a", "b"],
    rows: [
      { a: "1", b: "2" },
      { a: "3", b: "4" },
    ],
  },
  { name: "mixed line endings", text: "a\r\n1\n2\r3", columns: ["a"], rows: [{ a: "1" }, { a: "2" }, { a: "3" }] },
  { name: "UTF-8 BOM stripped", text: "\uFEFFname,age\nAda,36\n", columns: ["name", "age"], rows: [{ name: "Ada", age: "36" }] },
  { name: "BOM only at the start is special", text: "a\n\uFEFFx\n", columns: ["a"], rows: [{ a: "\uFEFFx" }] },
  { name: "quoted comma", text: 'a,b\n"x, y",z\n', columns: ["a", "b"], rows: [{ a: "x, y", b: "z" }] },
  { name: "doubled quotes", text: 'a\n"she said ""hi"""\n', columns: ["a"], rows: [{ a: 'she said "hi"' }] },
  { name: "only a doubled quote", text: 'a\n""""\n', columns: ["a"], rows: [{ a: '"' }] },
  { name: "newline inside quotes (LF)", text: 'a,b\n"line1\nline2",z\n', columns: ["a", "b"], rows: [{ a: "line1\nline2", b: "z" }] },
  { name: "CRLF inside quotes kept verbatim", text: 'a\r\n"x\r\ny"\r\n', columns: ["a"], rows: [{ a: "x\r\ny" }] },
  { name: "quoted header", text: '"first, name",b\n1,2\n', columns: ["first, name", "b"], rows: [{ "first, name": "1", b: "2" }] },
  { name: "quote inside an unquoted cell kept", text: 'a\n5" screen\n', columns: ["a"], rows: [{ a: '5" screen' }] },
  { name: "spaces never trimmed", text: " a , b \n  x ,\ty\t\n", columns: [" a ", " b "], rows: [{ " a ": "  x ", " b ": "\ty\t" }] },
  { name: "space before a quote: unquoted cell", text: 'a,b\n "x",y\n', columns: ["a", "b"], rows: [{ a: ' "x"', b: "y" }] },
  {
    name: "unicode verbatim",
    text: "名前,emoji\nこんにちは,👩‍💻 café ñ\n",
    columns: ["名前", "emoji"],
    rows: [{ 名前: "こんにちは", emoji: "👩‍💻 café ñ" }],
  },
  { name: "empty cells are empty strings", text: "a,b,c\n,,x\n", columns: ["a", "b", "c"], rows: [{ a: "", b: "", c: "x" }] },
  { name: "trailing comma is an empty last cell", text: "a,b\n1,\n", columns: ["a", "b"], rows: [{ a: "1", b: "" }] },
  {
    name: "short rows padded",
    text: "a,b,c\n1\n1,2\n",
    columns: ["a", "b", "c"],
    rows: [
      { a: "1", b: "", c: "" },
      { a: "1", b: "2", c: "" },
    ],
  },
  { name: "empty lines skipped", text: "\n\na\n\n1\r\n\r\n2\n\n", columns: ["a"], rows: [{ a: "1" }, { a: "2" }] },
  { name: "comma-only lines skipped", text: "a,b\n1,2\n,\n,,,\n", columns: ["a", "b"], rows: [{ a: "1", b: "2" }] },
  { name: "quoted empty cell keeps the row", text: 'a,b\n"",\n', columns: ["a", "b"], rows: [{ a: "", b: "" }] },
  { name: "header only", text: "a,b\n", columns: ["a", "b"], rows: [] },
  { name: "quoted cell at end of text", text: 'a\n"x"', columns: ["a"], rows: [{ a: "x" }] },
  { name: "empty quoted cell before comma", text: 'a,b\n"",x\n', columns: ["a", "b"], rows: [{ a: "", b: "x" }] },
  { name: "formula-looking text read verbatim", text: "a\n'=SUM(A1)\n=1+1\n", columns: ["a"], rows: [{ a: "'=SUM(A1)" }, { a: "=1+1" }] },
];

describe("parseCsv reading rules", () => {
  test.each(cases)("$name", ({ text, columns, rows }) => {
    expect(parseCsv(text)).toEqual({ columns, rows });
  });

  it("returns plain objects whose keys follow the header order", () => {
    const { rows } = parseCsv("z,a,m\n1,2,3\n");
    expect(Object.keys(rows[0]!)).toEqual(["z", "a", "m"]);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  });

  it("accepts exactly the limits", () => {
    const text = "a,b\n" + "xé,y\n".repeat(3);
    const parsed = parseCsv(text, { maxRows: 3, maxColumns: 2, maxCellBytes: 3 });
    expect(parsed.rows).toHaveLength(3);
    expect(parsed.rows[2]).toEqual({ a: "xé", b: "y" });
  });

  it("does not count skipped lines against maxRows", () => {
    expect(parseCsv("a\n1\n\n,\n2\n", { maxRows: 2 }).rows).toEqual([{ a: "1" }, { a: "2" }]);
  });
});

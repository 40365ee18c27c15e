/**
 * toCsv / csvLine / csvCell / toJsonl: exact RFC 4180 output, value formatting by type, and
 * formula-injection escaping (OWASP: cells starting with = + - @ tab CR become text).
 */
import { csvBom, csvCell, csvLine, escapeFormula, toCsv, toJsonl, jsonlLine } from "../src/csv/write";
import { parseCsv } from "../src/csv/read";

describe("toCsv", () => {
  it("writes a header and rows with CRLF after every record", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          { a: "1", b: "2" },
          { a: "x", b: "y" },
        ],
      ),
    ).toBe("a,b\r\n1,2\r\nx,y\r\n");
  });

  it("takes values by column name, ignoring extra keys and inherited properties", () => {
    expect(toCsv(["b", "toString"], [{ a: "ignored", b: "B" }])).toBe("b,toString\r\nB,\r\n");
  });

  it("writes no BOM; csvBom is the UTF-8 byte order mark for Excel", () => {
    expect(toCsv(["ä"], [{ ä: "ö" }]).charCodeAt(0)).toBe("ä".charCodeAt(0));
    expect(csvBom).toBe("\uFEFF");
    expect(parseCsv(csvBom + toCsv(["ä"], [{ ä: "ö" }]))).toEqual({ columns: ["ä"], rows: [{ ä: "ö" }] });
  });

  it("equals the header line plus csvLine per row, so streamed exports match", () => {
    const rows = [
      { a: 'x"y', b: 3 },
      { a: null, b: "=1" },
    ];
    expect(toCsv(["a", "b"], rows)).toBe(csvLine(["a", "b"]) + rows.map((r) => csvLine([r.a, r.b])).join(""));
  });
});

describe("csvCell quoting (RFC 4180)", () => {
  test.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line1\nline2", '"line1\nline2"'],
    ["a\rb", '"a\rb"'],
    ["a\r\nb", '"a\r\nb"'],
    ["  spaced  ", "  spaced  "],
    ["\uFEFFstarts with BOM", '"\uFEFFstarts with BOM"'],
    ["unicode 🎉 ñ 名", "unicode 🎉 ñ 名"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe("csvCell values by type", () => {
  test.each<[string, unknown, string]>([
    ["negative number stays a number", -5, "-5"],
    ["decimal", 3.25, "3.25"],
    ["zero", 0, "0"],
    ["NaN is empty", Number.NaN, ""],
    ["Infinity is empty", Number.POSITIVE_INFINITY, ""],
    ["-Infinity is empty", Number.NEGATIVE_INFINITY, ""],
    ["bigint", 12345678901234567890n, "12345678901234567890"],
    ["negative bigint stays a number", -7n, "-7"],
    ["true", true, "true"],
    ["false", false, "false"],
    ["null", null, ""],
    ["undefined", undefined, ""],
    ["date", new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), "2026-01-02T03:04:05.000Z"],
    ["object as JSON, quoted", { a: 1, b: "x" }, '"{""a"":1,""b"":""x""}"'],
    ["array as JSON, quoted", [1, 2], '"[1,2]"'],
    ["bigint inside an object", { n: 1n }, '"{""n"":""1""}"'],
  ])("%s", (_name, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("writes a marker instead of throwing on a cyclic object", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(csvCell(cyclic)).toBe("[unserializable]");
  });
});

describe("formula-injection escaping", () => {
  test.each([
    ["=SUM(A1:A9)", "'=SUM(A1:A9)"],
    ["+A1", "'+A1"],
    ["-5 apples", "'-5 apples"],
    ["-1+1", "'-1+1"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ["+1 555 0100", "'+1 555 0100"],
    ["--5", "'--5"],
    ["@cmd", "'@cmd"],
    ["\tindented", "'\tindented"],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ["\rstart", '"\'\rstart"'],
    ["=1,2", '"\'=1,2"'],
  ])("string %j is written as %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  test.each(["a=b", "1+1", "x-y", "mail@example.com", "x =not first", "'=already", "a＝fullwidth"])("%j is left alone (trigger not first)", (input) => {
    expect(csvCell(input)).toBe(input.includes(",") ? `"${input}"` : input);
  });

  it("does not escape numbers, even negative ones", () => {
    expect(csvLine([-5, -2.5e-7, "=5"])).toBe("-5,-2.5e-7,'=5\r\n");
  });

  test.each(["-5", "+5", "-1.25", "+.5", "-2e3", "-1+1"])(
    "string %j starting with a sign is escaped like any other trigger (numbers as numbers are not)",
    (input) => {
      expect(csvCell(input)).toBe(`'${input}`);
    },
  );

  it("leaves object JSON unescaped: it starts with { or [, never a trigger", () => {
    expect(csvCell({ "=x": 1 })).toBe('"{""=x"":1}"');
  });

  it("escapes header names too", () => {
    expect(toCsv(["=evil"], [])).toBe("'=evil\r\n");
  });

  it("reading an escaped cell back keeps the leading quote", () => {
    const { rows } = parseCsv(toCsv(["v"], [{ v: "=1+1" }, { v: "@x" }]));
    expect(rows).toEqual([{ v: "'=1+1" }, { v: "'@x" }]);
  });

  test.each([
    ["=", "'="],
    ["", ""],
    ["a", "a"],
    // Variants a spreadsheet still runs as formulas (OWASP CSV injection, and what Excel and
    // LibreOffice skip before a formula): leading white space, zero-width characters, a BOM,
    // full-width signs.
    [" =1+1", "' =1+1"],
    ["   @SUM(A1)", "'   @SUM(A1)"],
    ["\u00A0=1", "'\u00A0=1"],
    ["\u3000=1", "'\u3000=1"],
    ['\u200B=HYPERLINK("http://x")', '\'\u200B=HYPERLINK("http://x")'],
    ["\u2060+1", "'\u2060+1"],
    ["\uFEFF=1", "'\uFEFF=1"],
    ["\u200B \uFEFF -1", "'\u200B \uFEFF -1"],
    ["\uFF1D1+1", "'\uFF1D1+1"],
    ["\uFF0B1", "'\uFF0B1"],
    ["\uFF0D1", "'\uFF0D1"],
    ["\uFF20SUM(A1)", "'\uFF20SUM(A1)"],
    ["\nfoo", "'\nfoo"],
    ["\tfoo", "'\tfoo"],
    ["\rfoo", "'\rfoo"],
    // Not formulas: text that merely contains a sign, or white space before ordinary text.
    [" hello", " hello"],
    ["\u200Bhello", "\u200Bhello"],
    ["a=b", "a=b"],
    ["x@y.z", "x@y.z"],
  ])("escapeFormula(%j) = %j", (input, expected) => {
    expect(escapeFormula(input)).toBe(expected);
  });
});

describe("csvLine", () => {
  it("quotes the first cell of an all-empty record so the row survives reading", () => {
    expect(csvLine(["", null, undefined])).toBe('"",,\r\n');
    expect(csvLine([""])).toBe('""\r\n');
    expect(parseCsv("a,b,c\r\n" + csvLine(["", null, undefined])).rows).toEqual([{ a: "", b: "", c: "" }]);
  });

  it("writes an empty record as just CRLF", () => {
    expect(csvLine([])).toBe("\r\n");
  });
});

describe("toJsonl", () => {
  it("writes one JSON object per line, LF-terminated, without formula escaping", () => {
    const text = toJsonl([
      { a: "=x", n: -5 },
      { a: "line\nbreak", n: null },
    ]);
    expect(text).toBe('{"a":"=x","n":-5}\n{"a":"line\\nbreak","n":null}\n');
    expect(
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { a: "=x", n: -5 },
      { a: "line\nbreak", n: null },
    ]);
  });

  it("is empty for no rows and matches jsonlLine per row", () => {
    expect(toJsonl([])).toBe("");
    expect(toJsonl([{ x: 1 }])).toBe(jsonlLine({ x: 1 }));
  });
});

/**
 * Spreadsheet habits found from a CSV's bytes: UTF-8 and UTF-16 byte order marks, UTF-16 without
 * one, bytes that are not UTF-8 (likely Windows-1252) and `;`- or tab-separated files. Decoded
 * where that is safe; otherwise refused with what is wrong and how to re-save the file.
 */
import { CsvBytesDecoder, decodeCsvBytes, firstInvalidUtf8, sniffCsv } from "../src/csv/encoding";
import { CsvStreamParser, type ParsedCsv } from "../src/csv/read";

const TEXT = "name,city\r\nZoë,Malmö\r\nRenée,Zürich €\r\n";
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const utf16le = (s: string, bom = true): Uint8Array => {
  const out = new Uint8Array((bom ? 2 : 0) + s.length * 2);
  if (bom) out.set([0xff, 0xfe]);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[(bom ? 2 : 0) + 2 * i] = c & 0xff;
    out[(bom ? 2 : 0) + 2 * i + 1] = c >> 8;
  }
  return out;
};
const utf16be = (s: string): Uint8Array => {
  const le = utf16le(s, false);
  const out = new Uint8Array(2 + le.length);
  out.set([0xfe, 0xff]);
  for (let i = 0; i < le.length; i += 2) out.set([le[i + 1]!, le[i]!], 2 + i);
  return out;
};
/** Windows-1252 for the Latin-1 range the test text uses (ë ö é ü), € as 0x80. */
const cp1252 = (s: string): Uint8Array => Uint8Array.from([...s].map((ch) => (ch === "€" ? 0x80 : ch.charCodeAt(0))));

/** Decodes in pieces of `size` bytes (characters split across pieces) and parses the text. */
function readBytes(bytes: Uint8Array, size = 5): ParsedCsv {
  const rows: Record<string, string>[] = [];
  const parser = new CsvStreamParser({}, (row) => rows.push(row));
  const decoder = new CsvBytesDecoder();
  for (let i = 0; i < bytes.length; i += size) parser.push(decoder.write(bytes.subarray(i, i + size)));
  parser.push(decoder.end());
  return { columns: parser.end().columns, rows };
}

const EXPECTED = {
  columns: ["name", "city"],
  rows: [
    { name: "Zoë", city: "Malmö" },
    { name: "Renée", city: "Zürich €" },
  ],
};

describe("sniffCsv", () => {
  it.each([
    ["UTF-8", utf8(TEXT), "utf-8", 0],
    ["UTF-8 with a BOM", utf8(`\uFEFF${TEXT}`), "utf-8", 3],
    ["UTF-16 LE with a BOM", utf16le(TEXT), "utf-16le", 2],
    ["UTF-16 BE with a BOM", utf16be(TEXT), "utf-16be", 2],
    ["UTF-16 LE without a BOM", utf16le(TEXT, false), "utf-16le", 0],
  ])("detects %s", (_name, bytes, encoding, bomLength) => {
    expect(sniffCsv(bytes)).toEqual({ encoding, bom: bomLength > 0, bomLength, delimiter: ",", problem: null });
  });

  it("says a file with bytes that are not UTF-8 looks like Windows-1252, on which line, and how to re-save it", () => {
    const sniff = sniffCsv(cp1252(TEXT));
    expect(sniff.problem).toMatchObject({ code: "not_utf8" });
    expect(sniff.problem!.message).toContain("byte 0xEB on line 2");
    expect(sniff.problem!.message).toContain("Windows-1252");
    expect(sniff.problem!.fix).toContain("CSV UTF-8 (Comma delimited)");
  });

  it("detects semicolon- and tab-separated headers (quoted separators do not count)", () => {
    expect(sniffCsv(utf8("name;city;note\n1,5;Oslo;x\n"))).toMatchObject({ delimiter: ";", problem: { code: "semicolon_delimited" } });
    expect(sniffCsv(utf8("name\tcity\nA\tB\n"))).toMatchObject({ delimiter: "\t", problem: { code: "tab_delimited" } });
    expect(sniffCsv(utf8('"a;b;c",d\n1,2\n'))).toMatchObject({ delimiter: ",", problem: null });
  });

  it("does not count a character cut off at the end of a partial read, only in a complete file", () => {
    const cut = utf8("name\nZoë").subarray(0, 8); // the ë's first byte only
    expect(firstInvalidUtf8(cut, false)).toBe(-1);
    expect(firstInvalidUtf8(cut, true)).toBe(7);
    expect(sniffCsv(cut, { complete: false }).problem).toBeNull();
    // Overlong forms and surrogates are not UTF-8 either.
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0);
  });
});

describe("CsvBytesDecoder + the CSV reader", () => {
  it.each([
    ["UTF-8", utf8(TEXT)],
    ["UTF-8 with a BOM", utf8(`\uFEFF${TEXT}`)],
    ["UTF-16 LE", utf16le(TEXT)],
    ["UTF-16 BE", utf16be(TEXT)],
    ["UTF-16 LE without a BOM", utf16le(TEXT, false)],
  ])("reads %s split into small pieces", (_name, bytes) => {
    expect(readBytes(bytes)).toEqual(EXPECTED);
    expect(readBytes(bytes, 1 << 16)).toEqual(EXPECTED);
    expect(decodeCsvBytes(bytes)).toBe(TEXT);
  });

  it("refuses Windows-1252 bytes with the line and the fix, under path encoding", () => {
    const err = (() => {
      try {
        readBytes(cp1252(`name,city\n${"Ada,London\n".repeat(20)}Zoë,Malmö\n`), 7);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toMatchObject({ code: "invalid_input", details: [{ path: "encoding" }] });
    const detail = (err as { details: { message: string }[] }).details[0]!.message;
    expect(detail).toContain("line 22");
    expect(detail).toContain("Save it as UTF-8");
  });

  it("refuses a semicolon- or tab-separated file, saying how to save it with commas", () => {
    const errorOf = (bytes: Uint8Array, size: number): { details: { path: string; message: string }[] } | null => {
      try {
        readBytes(bytes, size);
      } catch (e) {
        return e as { details: { path: string; message: string }[] };
      }
      return null;
    };
    for (const size of [3, 1 << 16]) {
      const semi = errorOf(utf8("name;city;note\nZoë;Malmö;1,5\n"), size);
      expect(semi?.details[0]?.path).toBe("encoding");
      expect(semi?.details[0]?.message).toContain("separated by semicolons");
      expect(semi?.details[0]?.message).toContain('choose "," as the field delimiter');
      expect(errorOf(utf16le("name\tcity\r\nA\tB\r\n"), size)?.details[0]?.message).toContain("separated by tabs");
    }
    // Separators inside quotes, or fewer than the commas, leave a comma file as it is.
    expect(readBytes(utf8('"a;b;c",d\n1,2\n'))).toEqual({ columns: ["a;b;c", "d"], rows: [{ "a;b;c": "1", d: "2" }] });
    expect(readBytes(utf8("name,notes; misc\na,b\n")).columns).toEqual(["name", "notes; misc"]);
  });
});

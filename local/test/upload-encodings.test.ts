/**
 * `POST /api/uploads` with files as spreadsheets save them: UTF-16 (with a BOM, as Excel's
 * "Unicode text") and UTF-8 with a BOM are decoded; Windows-1252 bytes and `;`-separated files
 * answer 400 saying what is wrong and how to re-save the file, and keep nothing.
 */
import { request } from "./support/http-client";
import { useTestServer } from "./support/test-server";

const srv = useTestServer();
const upload = (bytes: Buffer) => request(srv.port, "POST", "/api/uploads", bytes, { "content-type": "text/csv" });
const TEXT = "name,city\r\nZoë,Malmö\r\n";
const EXPECTED_UPLOAD = { columns: ["name", "city"], rowCount: 1 };

describe("uploads as spreadsheets save them", () => {
  it("decodes UTF-16 LE and BE with a BOM and UTF-8 with a BOM", async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    for (const bytes of [le, be, Buffer.from(`\uFEFF${TEXT}`, "utf8")]) {
      const r = await upload(bytes);
      expect(r.status).toBe(201);
      expect(r.json.upload).toMatchObject(EXPECTED_UPLOAD);
    }
  });

  it("answers 400 for Windows-1252 bytes and for a semicolon-separated file, with the fix", async () => {
    const latin = await upload(Buffer.from(TEXT, "latin1"));
    expect(latin.status).toBe(400);
    expect(latin.json.error.details[0].path).toBe("csv.encoding");
    expect(latin.json.error.message).toContain("Windows-1252");
    expect(latin.json.error.details[0].message).toContain("CSV UTF-8 (Comma delimited)");
    const semi = await upload(Buffer.from("name;city\nZoë;Malmö\n", "utf8"));
    expect(semi.status).toBe(400);
    expect(semi.json.error.details[0].message).toContain("separated by semicolons");
  });
});

/**
 * Large batches leave the browser as a CSV file (upload-rows.ts): the file parses back (with
 * core's parser, as the server does) to exactly the rows the dialog checked, and the local
 * backend sends such a batch to POST /api/uploads, then creates it from the upload id.
 */
import { parseCsv } from "../../core/src/csv/read";
import { LocalBackend } from "../src/backend/local-backend";
import { UPLOAD_ROWS_ABOVE, rowsCsvBlob, shouldUpload } from "../src/backend/upload-rows";
import { startFakeApi } from "./support/fake-api";
import { jobJson } from "./support/job-fixtures";

describe("rowsCsvBlob", () => {
  it("parses back to the same rows: quotes, commas, line breaks, formulas kept, all-empty rows kept", async () => {
    const columns = ["a", "b,c", 'd"e'];
    const rows = [
      { a: "plain", "b,c": "x, y", 'd"e': 'say "hi"' },
      { a: "", "b,c": "", 'd"e': "" },
      { a: "line\nbreak", "b,c": "=SUM(1)", 'd"e': " lead" },
      { a: "", "b,c": "", 'd"e': "" },
    ];
    const text = await rowsCsvBlob(columns, rows).text();
    expect(parseCsv(text)).toEqual({ columns, rows });
  });

  it("uploads above the row threshold (or 8 MiB of cells), sends small batches inline", () => {
    const rows = (n: number, cell = "x") => Array.from({ length: n }, () => ({ a: cell }));
    expect(shouldUpload(rows(UPLOAD_ROWS_ABOVE))).toBe(false);
    expect(shouldUpload(rows(UPLOAD_ROWS_ABOVE + 1))).toBe(true);
    expect(shouldUpload(rows(200, "y".repeat(50_000)))).toBe(true);
  });
});

describe("LocalBackend create of a large batch", () => {
  it("streams the CSV to POST /api/uploads and creates the batch from the upload id", async () => {
    const api = await startFakeApi();
    try {
      api.route("POST /api/uploads", () => ({ status: 201, body: { upload: { id: "up1", columns: ["a"], rowCount: 6_000 } } }));
      api.route("POST /api/batches", () => ({ status: 201, body: { job: jobJson() } }));
      const rows = Array.from({ length: 6_000 }, (_, i) => ({ a: `r${i}` }));
      const progress: number[] = [];
      const job = await new LocalBackend(api.baseUrl).create({
        flow: { nodes: [] },
        columns: ["a"],
        rows,
        concurrency: 3,
        start: true,
        onUploadProgress: (f) => progress.push(f),
      });
      expect(job.id).toBe("job1");
      expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /api/uploads", "POST /api/batches"]);
      expect(parseCsv(api.requests[0]!.body as string).rows).toEqual(rows);
      expect(api.requests[1]!.body).toEqual({ flow: { nodes: [] }, concurrency: 3, start: true, upload: "up1", requestId: expect.any(String) });
      expect(progress).toEqual([1]);
    } finally {
      await api.close();
    }
  });
});

import type { RowResult } from "../../core/src/batch/model";
import { exportColumns, exportRecords } from "../src/lib/export-rows";
import { inputsFromRowDocs } from "../src/lib/row-docs";

const job = { columns: ["title"], outputColumns: ["summary", "picture"], totalRows: 3 };

const done: RowResult = {
  jobId: "j",
  rowIndex: 0,
  pass: 0,
  status: "succeeded",
  outputs: {
    summary: { kind: "json", text: "{\"a\":1}", value: { a: 1 } },
    picture: { kind: "mediaRef", mimeType: "image/png", ref: "media/j/0.png", bytes: 10 },
  },
  nodeOutputs: {},
  trace: {},
  usage: { inputTokens: 4, outputTokens: 5, totalTokens: 9 },
  durationMs: 120,
  attempts: 1,
  startedAt: 0,
  finishedAt: 1,
  error: null,
};
const failed: RowResult = { ...done, rowIndex: 1, status: "failed", outputs: {}, error: { code: "bad_request", message: "Bad prompt", retryable: false } };

describe("exportRecords", () => {
  it("has input columns, one column per output, then status columns, in input order with pending rows", () => {
    expect(exportColumns(job)).toEqual(["title", "summary", "picture", "status", "error", "durationMs", "inputTokens", "outputTokens", "totalTokens"]);
    const records = exportRecords(job, [{ title: "A" }, { title: "B" }, { title: "C" }], new Map([[0, done], [1, failed]]));
    expect(records.map((r) => [r.title, r.status])).toEqual([["A", "succeeded"], ["B", "failed"], ["C", "pending"]]);
    expect(records[0]).toMatchObject({ summary: "{\"a\":1}", picture: "media/j/0.png", totalTokens: 9, durationMs: 120 });
    expect(records[1]).toMatchObject({ error: "Bad prompt", summary: "" });
  });

  it("keeps JSON outputs as values for JSONL", () => {
    const [first] = exportRecords(job, null, new Map([[0, done]]), true);
    expect(first?.summary).toEqual({ a: 1 });
    expect(first?.title).toBe("");
  });
});

describe("inputsFromRowDocs", () => {
  it("rebuilds rows from chunks in any order, and refuses unknown shapes", () => {
    const rows = inputsFromRowDocs([
      { id: "000002", data: { start: 2, rows: [{ t: "c" }] } },
      { id: "000000", data: { start: 0, rows: [{ t: "a" }, { t: "b" }] } },
    ]);
    expect(rows).toEqual([{ t: "a" }, { t: "b" }, { t: "c" }]);
    expect(inputsFromRowDocs([{ id: "x", data: { foo: 1 } }])).toBeNull();
  });
});

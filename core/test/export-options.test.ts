/**
 * Export options on the shared records (what both hosts and the browser write): per-node and
 * per-row detail columns, JSON fields spread into columns, the Excel BOM, media links, and the
 * query schema that names them.
 */
import { ValidationError } from "../src/errors";
import { exportOptionsOf, ExportQuery, exportQueryString } from "../src/batch/export-query";
import { exportText, type ExportJob } from "../src/batch/export-records";
import { parseCsv } from "../src/csv/read";
import type { RowResult } from "../src/batch/model";

// topic ──▶ facts (text, JSON {title, score, tags}) ──▶ out "facts"
//      └──▶ draw (image) ──▶ out "picture"
const FLOW_NODES = [
  { id: "topic", type: "input", data: { column: "topic" } },
  {
    id: "facts",
    type: "text",
    data: { model: "gemini-2.5-flash", prompt: "{{topic}}", jsonSchema: { type: "object", properties: { title: {}, score: {}, tags: {} } } },
  },
  { id: "draw", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "{{topic}}" } },
  { id: "o1", type: "output", data: { name: "facts" } },
  { id: "o2", type: "output", data: { name: "picture" } },
];

const JOB: ExportJob & { totalRows: number } = {
  columns: ["topic"],
  outputColumns: ["facts", "picture"],
  status: "completed",
  totalRows: 3,
  flowConfig: { nodes: FLOW_NODES },
};

const usage = (n: number) => ({ inputTokens: n, outputTokens: n, totalTokens: 2 * n });
const picture = (row: number) => ({ kind: "mediaRef" as const, mimeType: "image/png", ref: `local:batch_jobs/j/media/00000${row}/draw.png`, bytes: 10 });

const facts = { title: '=HYPERLINK("http://x")', score: 7, tags: ["a", "b"] };
const ok: RowResult = {
  jobId: "j",
  rowIndex: 0,
  pass: 0,
  status: "succeeded",
  outputs: { facts: { kind: "json", text: JSON.stringify(facts), value: facts }, picture: picture(0) },
  nodeOutputs: { topic: { kind: "text", text: "cats" }, facts: { kind: "json", text: JSON.stringify(facts), value: facts }, draw: picture(0) },
  trace: {
    facts: { status: "succeeded", durationMs: 12.4, usage: usage(5), model: "gemini-2.5-flash" },
    draw: { status: "succeeded", durationMs: 30, usage: usage(1), model: "gemini-2.5-flash-image" },
  },
  usage: usage(6),
  costUsd: 0.01,
  durationMs: 40,
  attempts: 1,
  startedAt: 1,
  finishedAt: 2,
  error: null,
};
const failed: RowResult = {
  ...ok,
  rowIndex: 1,
  pass: 1,
  status: "failed",
  attempts: 3,
  outputs: {},
  nodeOutputs: { topic: { kind: "text", text: "dogs" } },
  trace: {
    facts: { status: "failed", durationMs: 3, model: "gemini-2.5-flash", error: { code: "safety_blocked", message: "blocked", retryable: false } },
    draw: { status: "skipped" },
  },
  error: { code: "safety_blocked", message: "blocked", retryable: false, nodeId: "facts" },
};
const RESULTS = new Map([
  [0, ok],
  [1, failed],
]);
const INPUTS = [{ topic: "cats" }, { topic: "dogs" }, { topic: "birds" }];

function csvRecords(text: string): Record<string, string>[] {
  return parseCsv(text).rows;
}

describe("export options", () => {
  it("columns=nodes adds failedNode, attempts, pass and every step node's output, status, tokens, model, duration and error code", () => {
    const text = exportText(JOB, INPUTS, RESULTS, "csv", { nodes: true });
    const { columns, rows } = parseCsv(text);
    expect(columns.slice(columns.indexOf("costUsd") + 1)).toEqual([
      "failedNode",
      "attempts",
      "pass",
      "facts:output",
      "facts:status",
      "facts:tokens",
      "facts:model",
      "facts:durationMs",
      "facts:errorCode",
      "draw:output",
      "draw:status",
      "draw:tokens",
      "draw:model",
      "draw:durationMs",
      "draw:errorCode",
    ]);
    expect(rows[0]).toMatchObject({
      failedNode: "",
      attempts: "1",
      pass: "0",
      "facts:status": "succeeded",
      "facts:tokens": "10",
      "facts:model": "gemini-2.5-flash",
      "facts:durationMs": "12",
      "draw:output": picture(0).ref,
      "draw:tokens": "2",
    });
    expect(rows[1]).toMatchObject({
      failedNode: "facts",
      attempts: "3",
      pass: "1",
      "facts:status": "failed",
      "facts:errorCode": "safety_blocked",
      "draw:status": "skipped",
      "draw:output": "",
    });
    // A row not run yet has every detail cell empty.
    expect(rows[2]).toMatchObject({ status: "pending", failedNode: "", attempts: "", "facts:status": "" });
  });

  it("spread=json gives one column per schema field, formula-escaped in CSV and typed in JSON Lines", () => {
    const csv = csvRecords(exportText(JOB, INPUTS, RESULTS, "csv", { spread: true }));
    expect(csv[0]).toMatchObject({ "facts.title": `'=HYPERLINK("http://x")`, "facts.score": "7", "facts.tags": '["a","b"]' });
    expect(csv[1]).toMatchObject({ "facts.title": "", "facts.score": "" });
    const jsonl = exportText(JOB, INPUTS, RESULTS, "jsonl", { spread: true })
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(jsonl[0]).toMatchObject({ "facts.title": facts.title, "facts.score": 7, "facts.tags": ["a", "b"] });
    // No image field: only JSON nodes spread.
    expect(Object.keys(jsonl[0]!).filter((k) => k.startsWith("draw."))).toEqual([]);
  });

  it("bom=1 starts a CSV with a UTF-8 byte order mark; without it there is none", () => {
    expect(exportText(JOB, INPUTS, RESULTS, "csv", { bom: true }).startsWith("\uFEFFtopic,")).toBe(true);
    expect(exportText(JOB, INPUTS, RESULTS, "csv").startsWith("topic,")).toBe(true);
  });

  it("media cells go through the link, named by row and producing node, in output and node columns", () => {
    const seen: string[] = [];
    const text = exportText(JOB, INPUTS, RESULTS, "csv", {
      nodes: true,
      mediaLink: (m) => {
        seen.push(`${m.rowIndex}/${m.nodeId}/${m.mimeType}`);
        return `row-${m.rowIndex}-${m.nodeId}.png`;
      },
    });
    const rows = csvRecords(text);
    expect(rows[0]).toMatchObject({ picture: "row-0-draw.png", "draw:output": "row-0-draw.png" });
    expect(seen).toEqual(["0/draw/image/png", "0/draw/image/png"]);
  });

  it("an output named like an option's column keeps both in JSON Lines", () => {
    const job = { ...JOB, outputColumns: ["facts", "picture", "attempts"] };
    const line = JSON.parse(exportText(job, INPUTS, RESULTS, "jsonl", { nodes: true }).split("\n")[0]!) as Record<string, unknown>;
    expect(line.attempts).toBe("");
    expect(line["attempts (2)"]).toBe(1);
  });
});

describe("export query", () => {
  it("maps columns, spread and bom, and names a bad or unknown parameter", () => {
    expect(exportOptionsOf(ExportQuery.parse({ columns: "nodes", spread: "json", bom: "1" }), "csv")).toEqual({ nodes: true, spread: true, bom: true });
    expect(exportOptionsOf(ExportQuery.parse({}), "jsonl")).toEqual({ nodes: false, spread: false, bom: false });
    expect(ExportQuery.safeParse({ columns: "all" }).error?.issues[0]?.path).toEqual(["columns"]);
    expect(ExportQuery.safeParse({ colums: "nodes" }).success).toBe(false);
    expect(() => exportOptionsOf({ bom: "1" }, "jsonl")).toThrow(ValidationError);
    expect(exportQueryString({ nodes: true, bom: true })).toBe("?columns=nodes&bom=1");
    expect(exportQueryString({})).toBe("");
  });
});

/**
 * The shipped examples (repo `examples/<id>/{meta.json, flow.json, rows.csv}`, served by
 * `GET /api/examples` and used by the README and CLI): every CSV parses, every flow is well formed
 * passes parseFlow against its CSV's columns, every row runs through the engine with the offline
 * provider, and together they show what they promise (a text chain, a diamond, JSON output read
 * with {{node.field}}, an image step, a [[fail-first]] row that fails once and then succeeds).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../src/csv/read";
import { inputColumns, outputColumns, parseFlow } from "../src/flow/parse";
import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import { OfflineAiService } from "../src/ai/offline";

const ROOT = join(__dirname, "..", "..", "examples");

interface RawNode {
  id: string;
  type: string;
  position?: { x: number; y: number };
  data: Record<string, unknown>;
}
interface RawFlow {
  nodes: RawNode[];
  edges: { source: string; target: string }[];
}

const readJson = (id: string, file: string): unknown => JSON.parse(readFileSync(join(ROOT, id, file), "utf8"));

const ids = readdirSync(ROOT).filter((name) => statSync(join(ROOT, name)).isDirectory());
const examples = ids.map((id) => ({
  id,
  meta: readJson(id, "meta.json") as Record<string, unknown>,
  flow: readJson(id, "flow.json") as RawFlow,
  csvText: readFileSync(join(ROOT, id, "rows.csv"), "utf8"),
}));

describe.each(examples)("example $id", ({ id, meta, flow, csvText }) => {
  const csv = parseCsv(csvText);

  it("has meta with its folder id, a name and a description", () => {
    expect(meta).toEqual({ id, name: expect.any(String), description: expect.any(String) });
    expect(String(meta.name).length).toBeGreaterThan(0);
    expect(String(meta.description).length).toBeGreaterThan(20);
  });

  it("has 10 to 20 rows with a value in every column of every row", () => {
    expect(csv.rows.length).toBeGreaterThanOrEqual(10);
    expect(csv.rows.length).toBeLessThanOrEqual(20);
    for (const row of csv.rows) for (const column of csv.columns) expect(row[column]).not.toBe("");
  });

  it("is a valid flow for its CSV (parseFlow with the CSV's columns)", () => {
    const parsed = parseFlow(flow, { columns: csv.columns });
    expect(inputColumns(parsed).length).toBeGreaterThan(0);
    for (const column of inputColumns(parsed)) expect(csv.columns).toContain(column);
    expect(outputColumns(parsed).length).toBeGreaterThan(0);
  });

  it("gives every node a position so an editor can lay it out", () => {
    for (const node of flow.nodes) expect(node.position).toEqual({ x: expect.any(Number), y: expect.any(Number) });
  });

  it("runs every row with the offline provider; a [[fail-first]] row fails once, then succeeds", async () => {
    const engine = new ServerWorkflowEngine({ ai: new OfflineAiService() });
    const parsed = parseFlow(flow, { columns: csv.columns });
    for (const row of csv.rows) {
      const marked = Object.values(row).some((v) => v.includes("[[fail-first]]"));
      const first = await engine.execute({ flow: parsed, row });
      expect(first.status).toBe(marked ? "failed" : "succeeded");
      if (!marked) {
        expect(Object.keys(first.outputs)).toEqual(outputColumns(parsed));
        continue;
      }
      expect(first.error?.code).toBe("bad_request");
      const retried = await engine.execute({ flow: parsed, row, resume: first.nodeOutputs });
      expect(retried.status).toBe("succeeded");
    }
  });
});

describe("the examples together", () => {
  const nodes = examples.flatMap((e) => e.flow.nodes.map((n) => ({ example: e.id, ...n })));
  const parentsOf = (flow: RawFlow, id: string): RawNode[] => flow.edges.filter((e) => e.target === id).map((e) => flow.nodes.find((n) => n.id === e.source)!);

  it("are three or four", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(examples.length).toBeLessThanOrEqual(4);
  });

  it("include a text chain: a text node fed by another text node", () => {
    const chained = examples.some((e) => e.flow.nodes.some((n) => n.type === "text" && parentsOf(e.flow, n.id).some((p) => p.type === "text")));
    expect(chained).toBe(true);
  });

  it("include a diamond: a text node joining two text branches", () => {
    const joins = examples.some((e) => e.flow.nodes.some((n) => n.type === "text" && parentsOf(e.flow, n.id).filter((p) => p.type === "text").length >= 2));
    expect(joins).toBe(true);
  });

  it("include JSON output read field by field with {{node.field}}", () => {
    const jsonNodes = nodes.filter((n) => n.type === "text" && n.data.jsonSchema !== undefined);
    expect(jsonNodes.length).toBeGreaterThan(0);
    const fieldRef = nodes.some((n) => jsonNodes.some((j) => j.example === n.example && String(n.data.prompt).includes(`{{${j.id}.`)));
    expect(fieldRef).toBe(true);
  });

  it("include an image node", () => {
    expect(nodes.some((n) => n.type === "image")).toBe(true);
  });

  it("include exactly one row with the [[fail-first]] marker, to demo retrying failed rows", () => {
    const marked = examples.flatMap((e) => parseCsv(e.csvText).rows.filter((row) => Object.values(row).some((v) => v.includes("[[fail-first]]"))));
    expect(marked).toHaveLength(1);
  });
});

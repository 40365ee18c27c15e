/**
 * The shipped examples (repo `examples/<id>/{meta.json, flow.json, rows.csv}`, served by
 * `GET /api/examples` and used by the README and CLI): every CSV parses, every flow is well formed
 * and reads only columns its CSV has, and together they show what they promise (a text chain, a
 * diamond, JSON output read with {{node.field}}, an image step, a [[fail-first]] retry demo).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../src/csv/read";
import { NODE_TYPES } from "../src/flow/schema";

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

// TODO(csv): tighten with parseFlow(flow, { columns }) from "../src/flow/parse" once it is committed.
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

  it("has nodes with an id, a known type, data and a position", () => {
    const types: readonly string[] = NODE_TYPES;
    for (const node of flow.nodes) {
      expect(node.id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      expect(types).toContain(node.type);
      expect(typeof node.data).toBe("object");
      expect(node.position).toEqual({ x: expect.any(Number), y: expect.any(Number) });
    }
    expect(new Set(flow.nodes.map((n) => n.id)).size).toBe(flow.nodes.length);
  });

  it("has edges between existing nodes", () => {
    const known = new Set(flow.nodes.map((n) => n.id));
    for (const edge of flow.edges) {
      expect(known).toContain(edge.source);
      expect(known).toContain(edge.target);
    }
  });

  it("reads only columns its CSV has, and names outputs that do not collide with them", () => {
    const inputs = flow.nodes.filter((n) => n.type === "input").map((n) => n.data.column);
    const outputs = flow.nodes.filter((n) => n.type === "output").map((n) => n.data.name);
    expect(inputs.length).toBeGreaterThan(0);
    expect(outputs.length).toBeGreaterThan(0);
    for (const column of inputs) expect(csv.columns).toContain(column);
    for (const name of outputs) expect(csv.columns).not.toContain(name);
  });
});

describe("the examples together", () => {
  const nodes = examples.flatMap((e) => e.flow.nodes.map((n) => ({ example: e.id, ...n })));
  const parentsOf = (flow: RawFlow, id: string): RawNode[] =>
    flow.edges.filter((e) => e.target === id).map((e) => flow.nodes.find((n) => n.id === e.source)!);

  it("are three or four", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(examples.length).toBeLessThanOrEqual(4);
  });

  it("include a text chain: a text node fed by another text node", () => {
    const chained = examples.some((e) =>
      e.flow.nodes.some((n) => n.type === "text" && parentsOf(e.flow, n.id).some((p) => p.type === "text")),
    );
    expect(chained).toBe(true);
  });

  it("include a diamond: a text node joining two text branches", () => {
    const joins = examples.some((e) =>
      e.flow.nodes.some((n) => n.type === "text" && parentsOf(e.flow, n.id).filter((p) => p.type === "text").length >= 2),
    );
    expect(joins).toBe(true);
  });

  it("include JSON output read field by field with {{node.field}}", () => {
    const jsonNodes = nodes.filter((n) => n.type === "text" && n.data.jsonSchema !== undefined);
    expect(jsonNodes.length).toBeGreaterThan(0);
    const fieldRef = nodes.some((n) =>
      jsonNodes.some((j) => j.example === n.example && String(n.data.prompt).includes(`{{${j.id}.`)),
    );
    expect(fieldRef).toBe(true);
  });

  it("include an image node", () => {
    expect(nodes.some((n) => n.type === "image")).toBe(true);
  });

  it("include exactly one row with the [[fail-first]] marker, to demo retrying failed rows", () => {
    const marked = examples.flatMap((e) =>
      parseCsv(e.csvText).rows.filter((row) => Object.values(row).some((v) => v.includes("[[fail-first]]"))),
    );
    expect(marked).toHaveLength(1);
  });
});

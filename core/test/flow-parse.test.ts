import { ValidationError, type ErrorDetail } from "../src/errors";
import { inputColumns, outputColumns, outputSources, parseFlow, type ParseFlowOptions } from "../src/flow/parse";
import { image, input, output, rawFlow, text, video } from "./support/flows";

const EXAMPLE = {
  nodes: [
    { id: "title", type: "input", data: { column: "title" } },
    { id: "summary", type: "text", data: { model: "gemini-2.5-flash", system: "Be brief.", prompt: "Summarize: {{title}}" } },
    { id: "out", type: "output", data: { name: "Summary" } },
  ],
  edges: [
    { id: "e1", source: "title", target: "summary" },
    { id: "e2", source: "summary", target: "out" },
  ],
};

/** The details of the ValidationError parseFlow throws (fails the test if it does not throw one). */
function problems(raw: unknown, opts?: ParseFlowOptions): ErrorDetail[] {
  try {
    parseFlow(raw, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe("invalid_flow");
    return (err as ValidationError).details ?? [];
  }
  throw new Error("parseFlow accepted an invalid flow");
}

describe("parseFlow accepts", () => {
  it("the documented example and fills defaults", () => {
    const flow = parseFlow(EXAMPLE, { columns: ["title", "body"] });
    expect(flow.nodes.map((n) => n.type)).toEqual(["input", "text", "output"]);
    expect(flow.edges).toHaveLength(2);
    const img = parseFlow(rawFlow([input("t"), image("pic", "a {{t}}"), output("o", "Pic")], "t>pic pic>o"));
    expect(img.nodes[1]).toMatchObject({ data: { model: "gemini-2.5-flash-image" } });
  });

  it("a JSON string, extra React Flow keys and references through intermediate nodes", () => {
    // title ─▶ a ─▶ b ─▶ out     (b references title two hops up)
    const raw = rawFlow([input("title"), text("a", "{{title}}"), text("b", "{{ title }} and {{a}}"), output("out", "B")], "title>a a>b b>out");
    const withUi = { ...raw, viewport: { x: 0, y: 0, zoom: 1 }, nodes: raw.nodes.map((n) => ({ ...n, position: { x: 1, y: 2 }, selected: true })) };
    const flow = parseFlow(JSON.stringify(withUi));
    expect(flow.nodes).toHaveLength(4);
    expect(flow.nodes[0]).toMatchObject({ selected: true });
  });

  it("numbered node ids, as React Flow editors generate them", () => {
    // 1 ─▶ 2 ─▶ 3
    const raw = rawFlow([input("1", "title"), text("2", "Summarize {{1}}"), output("3", "Summary")], "1>2 2>3");
    expect(parseFlow(raw, { columns: ["title"] }).nodes.map((n) => n.id)).toEqual(["1", "2", "3"]);
  });

  it("{{node.field}} on a text node with a jsonSchema", () => {
    const raw = rawFlow(
      [input("t"), text("meta", "{{t}}", { jsonSchema: { type: "object" } }), text("b", "{{meta.a.b}}"), output("o", "B")],
      "t>meta meta>b b>o",
    );
    expect(() => parseFlow(raw)).not.toThrow();
  });
});

// Each case: a bad flow, and the detail (path + message fragment) that must name the problem.
const cases: Array<[string, unknown, ParseFlowOptions, string, string]> = [
  ["not an object", [1, 2], {}, "flow", "must be an object"],
  ["not JSON", "{nodes:", {}, "flow", "not valid JSON"],
  ["nodes missing", { edges: [] }, {}, "nodes", "nodes is required"],
  ["no nodes", { nodes: [] }, {}, "nodes", "flow has no nodes"],
  [
    "an unknown node type",
    { ...EXAMPLE, nodes: [...EXAMPLE.nodes, { id: "q", type: "llm", data: {} }] },
    {},
    "nodes[3].type",
    'node "q" has unknown type "llm"; valid types: input, text, image, video, output',
  ],
  [
    "a bad node id",
    { ...EXAMPLE, nodes: [...EXAMPLE.nodes, { id: "1 bad", type: "input", data: { column: "x" } }] },
    {},
    "nodes[3].id",
    "must use only letters, digits, _ and -",
  ],
  [
    "a duplicate node id",
    rawFlow([input("title"), input("title", "body"), text("s", "{{title}}"), output("o", "S")], "title>s s>o"),
    {},
    "nodes[1].id",
    'duplicate node id "title"',
  ],
  [
    "an edge from a missing node",
    { ...EXAMPLE, edges: [...EXAMPLE.edges, { source: "ghost", target: "summary" }] },
    {},
    "edges[2].source",
    'edge source "ghost" is not a node',
  ],
  [
    "an edge to a missing node",
    { ...EXAMPLE, edges: [...EXAMPLE.edges, { source: "title", target: "ghost" }] },
    {},
    "edges[2].target",
    'edge target "ghost" is not a node',
  ],
  [
    // title ─▶ a ─▶ b ─▶ c ─▶ out
    //          ▲          │
    //          └──────────┘
    "a cycle",
    rawFlow([input("title"), text("a", "{{title}}"), text("b", "{{a}}"), text("c", "{{b}}"), output("out", "C")], "title>a a>b b>c c>a c>out"),
    {},
    "edges",
    "cycle: a → b → c → a",
  ],
  [
    "a misspelt reference",
    rawFlow([input("title"), text("summary", "Summarize: {{titel}}"), output("out", "S")], "title>summary summary>out"),
    {},
    "nodes[1].data.prompt",
    "{{titel}} refers to no upstream node; known: title",
  ],
  [
    "a column name where the input node has another id",
    rawFlow([input("in_title", "title"), text("a", "{{title}}"), output("o", "A")], "in_title>a a>o"),
    {},
    "nodes[1].data.prompt",
    '{{title}} refers to no upstream node; known: in_title (column "title" is read by input node "in_title": write {{in_title}})',
  ],
  [
    // title ─▶ a ─▶ out1      body (no edge to a)
    "a reference to a node with no edge path",
    rawFlow([input("title"), input("body"), text("a", "{{title}} {{body}}"), output("o", "A")], "title>a a>o"),
    { columns: ["title", "body"] },
    "nodes[2].data.prompt",
    'add an edge from "body" to "a"',
  ],
  [
    "a reference to a downstream node",
    rawFlow([input("t"), text("a", "{{b}}"), text("b", "{{t}}"), output("o", "B")], "t>a a>b b>o"),
    {},
    "nodes[1].data.prompt",
    '{{b}} refers to node "b", which is not upstream of "a"',
  ],
  [
    "a reference to the node itself",
    rawFlow([input("t"), text("a", "{{t}} {{a}}"), output("o", "A")], "t>a a>o"),
    {},
    "nodes[1].data.prompt",
    "{{a}} refers to this node itself",
  ],
  [
    "a reference in the system instruction",
    rawFlow([input("t"), text("a", "{{t}}", { system: "Tone: {{tone}}" }), output("o", "A")], "t>a a>o"),
    {},
    "nodes[1].data.system",
    "{{tone}} refers to no upstream node",
  ],
  [
    "an image referenced in a prompt",
    rawFlow([input("t"), image("pic", "{{t}}"), text("a", "describe {{pic}}"), output("o", "A")], "t>pic pic>a a>o"),
    {},
    "nodes[2].data.prompt",
    "image and video outputs cannot be used in prompts",
  ],
  [
    "a video referenced in a prompt",
    rawFlow([input("t"), video("clip", "{{t}}"), text("a", "describe {{clip}}"), output("o", "A")], "t>clip clip>a a>o"),
    {},
    "nodes[2].data.prompt",
    'refers to video node "clip"',
  ],
  [
    "a field of a plain-text node",
    rawFlow([input("t"), text("a", "{{t.name}}"), output("o", "A")], "t>a a>o"),
    {},
    "nodes[1].data.prompt",
    '{{t.name}} reads a field, but "t" outputs plain text',
  ],
  [
    "a malformed reference",
    rawFlow([input("t"), text("a", "{{t}} {{first name}}"), output("o", "A")], "t>a a>o"),
    {},
    "nodes[1].data.prompt",
    "{{first name}} is not a valid reference",
  ],
  [
    "an output node with no incoming edge",
    rawFlow([input("t"), text("a", "{{t}}"), output("o", "A")], "t>a"),
    {},
    "nodes[2]",
    'output node "o" needs exactly one incoming edge; it has none',
  ],
  [
    "an output node with two incoming edges",
    rawFlow([input("t"), text("a", "{{t}}"), text("b", "{{t}}"), output("o", "A")], "t>a t>b a>o b>o"),
    {},
    "nodes[3]",
    "needs exactly one incoming edge; it has 2 (a, b)",
  ],
  [
    "a duplicated output name",
    rawFlow([input("t"), text("a", "{{t}}"), output("o1", "Same"), output("o2", "Same")], "t>a a>o1 a>o2"),
    {},
    "nodes[3].data.name",
    'output name "Same" is already used by node "o1"',
  ],
  [
    "an output name that collides with a CSV column",
    rawFlow([input("t", "title"), text("a", "{{t}}"), output("o", "body")], "t>a a>o"),
    { columns: ["title", "body"] },
    "nodes[2].data.name",
    'output name "body" collides with the input column "body"',
  ],
  [
    "an output name that collides with an input node's column",
    rawFlow([input("t", "title"), text("a", "{{t}}"), output("o", "title")], "t>a a>o"),
    {},
    "nodes[2].data.name",
    "collides with the input column",
  ],
  [
    "a __proto__ output name",
    rawFlow([input("t"), text("a", "{{t}}"), output("o", "__proto__")], "t>a a>o"),
    {},
    "nodes[2].data.name",
    'output name "__proto__" is reserved',
  ],
  ["a __proto__ node id", rawFlow([input("__proto__", "t"), output("o", "A")], "__proto__>o"), {}, "nodes[0].id", 'node id "__proto__" is reserved'],
  ["a blank output name", rawFlow([input("t"), text("a", "{{t}}"), output("o", "  ")], "t>a a>o"), {}, "nodes[2].data.name", "output name is blank"],
  [
    "a reserved output name",
    rawFlow([input("t"), text("a", "{{t}}"), output("o", "status")], "t>a a>o"),
    {},
    "nodes[2].data.name",
    'output name "status" is reserved',
  ],
  [
    "an input column the CSV lacks",
    rawFlow([input("t", "titel"), text("a", "{{t}}"), output("o", "A")], "t>a a>o"),
    { columns: ["title", "body"] },
    "nodes[0].data.column",
    'column "titel" is not in the CSV; available: title, body',
  ],
  ["too many nodes", EXAMPLE, { maxNodes: 2 }, "nodes", "flow has 3 nodes; the limit is 2"],
  ["no output node", rawFlow([input("t"), text("a", "{{t}}")], "t>a"), {}, "nodes", "flow has no output node"],
  ["an empty prompt", rawFlow([input("t"), text("a", ""), output("o", "A")], "t>a a>o"), {}, "nodes[1].data.prompt", "prompt is empty"],
  ["a whitespace-only prompt", rawFlow([input("t"), image("a", "  \n "), output("o", "A")], "t>a a>o"), {}, "nodes[1].data.prompt", "prompt is empty"],
  [
    "a missing prompt",
    { ...EXAMPLE, nodes: [EXAMPLE.nodes[0], { id: "summary", type: "text", data: {} }, EXAMPLE.nodes[2]] },
    {},
    "nodes[1].data.prompt",
    "prompt is required",
  ],
  [
    "a bad setting",
    rawFlow([input("t"), text("a", "{{t}}", { temperature: 5 }), output("o", "A")], "t>a a>o"),
    {},
    "nodes[1].data.temperature",
    "temperature must be between 0 and 2",
  ],
  [
    "a bad video duration",
    rawFlow([input("t"), { id: "v", type: "video", data: { prompt: "{{t}}", durationSeconds: 0.5 } }, output("o", "A")], "t>v v>o"),
    {},
    "nodes[1].data.durationSeconds",
    "durationSeconds must be a whole number",
  ],
  [
    "an input node with an incoming edge",
    rawFlow([input("t"), input("u"), text("a", "{{t}}"), output("o", "A")], "t>u t>a a>o"),
    {},
    "nodes[1]",
    'input node "u" cannot have incoming edges',
  ],
  [
    "an output node that feeds another node",
    rawFlow([input("t"), text("a", "{{t}}"), output("o", "A"), text("b", "x")], "t>a a>o o>b"),
    {},
    "nodes[2]",
    'output node "o" cannot feed other nodes',
  ],
];

describe("parseFlow rejects", () => {
  it.each(cases)("%s", (_name, raw, opts, path, fragment) => {
    const details = problems(raw, opts);
    const hit = details.find((d) => d.path === path && d.message.includes(fragment));
    expect(hit ?? details).toEqual(expect.objectContaining({ path, message: expect.stringContaining(fragment) as string }));
  });

  it("collects every problem into one error", () => {
    const raw = rawFlow([input("t", "nope"), text("a", "{{x}}"), { id: "z", type: "bogus", data: {} }, output("o", "title")], "t>a ghost>a");
    const details = problems(raw, { columns: ["title"] });
    expect(details.map((d) => d.path).sort()).toEqual(
      ["edges[1].source", "nodes[0].data.column", "nodes[1].data.prompt", "nodes[2].type", "nodes[3]", "nodes[3].data.name"].sort(),
    );
  });

  it("summarises the first problem and the count in the error message", () => {
    try {
      parseFlow(rawFlow([input("t"), text("a", "{{x}} {{y}}"), output("o", "A")], "t>a a>o"));
      throw new Error("accepted");
    } catch (err) {
      expect((err as Error).message).toBe("Invalid flow: nodes[1].data.prompt: {{x}} refers to no upstream node; known: t (and 1 more)");
    }
  });
});

describe("flow column helpers", () => {
  // t(title) ─▶ a ─▶ o1(First)
  // u(body) ──▶ b ─▶ o2(Second)
  const flow = parseFlow(
    rawFlow(
      [input("t", "title"), input("u", "body"), text("a", "{{t}}"), text("b", "{{u}}"), output("o1", "First"), output("o2", "Second")],
      "t>a u>b a>o1 b>o2",
    ),
  );
  it("lists outputs and inputs in flow order", () => {
    expect(outputColumns(flow)).toEqual(["First", "Second"]);
    expect(inputColumns(flow)).toEqual(["title", "body"]);
    expect([...outputSources(flow)]).toEqual([
      ["o1", "a"],
      ["o2", "b"],
    ]);
  });
});

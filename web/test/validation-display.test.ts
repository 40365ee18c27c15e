import { describeDetail, fieldMessages, groupIssues, issueCount, otherNodeMessages, parseDetailPath } from "../src/lib/validation-display";

describe("parseDetailPath", () => {
  it.each([
    ["nodes[1].data.prompt", { kind: "node", index: 1, field: "prompt" }],
    ["nodes[12].data.jsonSchema.type", { kind: "node", index: 12, field: "jsonSchema" }],
    ["nodes[0].id", { kind: "node", index: 0, field: "id" }],
    ["nodes[3]", { kind: "node", index: 3 }],
    ["edges[2].target", { kind: "edge", index: 2, field: "target" }],
    ["edges", { kind: "flow" }],
    ["flow", { kind: "flow" }],
    ["columns", { kind: "flow" }],
  ])("%s", (path, expected) => {
    expect(parseDetailPath(path)).toEqual(expected);
  });
});

describe("groupIssues", () => {
  const nodes = [{ id: "title" }, { id: "summary" }, { id: "result" }];
  const details = [
    { path: "nodes[1].data.prompt", message: "prompt is required" },
    { path: "nodes[1].data.temperature", message: "Too big" },
    { path: "nodes[2]", message: "output node needs exactly one incoming edge" },
    { path: "edges[0].target", message: 'edge target "x" is not a node' },
    { path: "nodes[9].data.prompt", message: "out of range index" },
    { path: "edges", message: "cycle: a → b → a" },
  ];
  const map = groupIssues(details, nodes);

  it("attaches node details to the node id and the field they name", () => {
    expect(fieldMessages(map, "summary", "prompt")).toEqual(["prompt is required"]);
    expect(fieldMessages(map, "summary", "temperature")).toEqual(["Too big"]);
    expect(fieldMessages(map, "result", null)).toEqual(["output node needs exactly one incoming edge"]);
    expect(issueCount(map, "summary")).toBe(2);
    expect(issueCount(map, "title")).toBe(0);
  });

  it("keeps edge, flow-level and unknown-index details as general messages", () => {
    expect(map.general.map((d) => d.path)).toEqual(["edges[0].target", "nodes[9].data.prompt", "edges"]);
    expect(map.byEdge.get(0)).toEqual(['edge target "x" is not a node']);
  });

  it("lists details for fields the panel has no input for, prefixed by the field", () => {
    expect(otherNodeMessages(map, "summary", ["prompt"])).toEqual(["temperature: Too big"]);
  });
});

describe("describeDetail", () => {
  it("names the node and field, and falls back to the raw path", () => {
    const nodes = [{ id: "title" }, { id: "out_title" }];
    expect(describeDetail({ path: "nodes[1].data.name", message: "collides" }, nodes)).toBe('Node "out_title", name: collides');
    expect(describeDetail({ path: "nodes[0]", message: "bad" }, nodes)).toBe('Node "title": bad');
    expect(describeDetail({ path: "edges", message: "cycle" }, nodes)).toBe("edges: cycle");
  });
});

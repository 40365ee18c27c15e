import type { Edge, Node } from "@xyflow/react";
import { renameNode, renameRefs, toggleEdge, updateNodeData } from "../src/editor/flow-edits";

const node = (id: string, data: Record<string, unknown> = {}): Node => ({ id, type: "text", position: { x: 0, y: 0 }, data });

describe("flow edits", () => {
  it("rewrites references to a renamed node, fields included, and nothing else", () => {
    expect(renameRefs("A {{ sum }} B {{sum.title}} C {{summary}} D {{sum}}", "sum", "digest")).toBe(
      "A {{ digest }} B {{digest.title}} C {{summary}} D {{digest}}",
    );
  });

  /*
   *  a ─► b      rename a → x: the edge, b's prompt and a itself change
   */
  it("renames the node, its edges and the prompts that refer to it; refuses a taken id", () => {
    const graph = { nodes: [node("a", { prompt: "hi" }), node("b", { prompt: "use {{a}}" })], edges: [{ id: "e-a-b", source: "a", target: "b" }] as Edge[] };
    const out = renameNode(graph, "a", "x");
    expect(out.nodes.map((n) => n.id)).toEqual(["x", "b"]);
    expect(out.nodes[1]?.data.prompt).toBe("use {{x}}");
    expect(out.edges[0]).toMatchObject({ source: "x", target: "b" });
    expect(renameNode(graph, "a", "b")).toBe(graph);
  });

  it("removes fields set to undefined and toggles edges idempotently", () => {
    const [n] = updateNodeData([node("a", { temperature: 1, prompt: "p" })], "a", { temperature: undefined });
    expect(n?.data).toEqual({ prompt: "p" });
    const once = toggleEdge([], "a", "b", true);
    expect(toggleEdge(once, "a", "b", true)).toBe(once);
    expect(toggleEdge(once, "a", "b", false)).toEqual([]);
  });
});

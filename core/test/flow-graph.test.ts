import { ancestors, buildGraph, descendants, findCycles, topologicalOrder } from "../src/flow/graph";

/** Graph from "a>b b>c"; node ids from `ids` (flow order) plus any edge end. */
function graphOf(spec: string, ids?: string[]) {
  const edges = spec
    .split(/\s+/)
    .filter(Boolean)
    .map((p) => {
      const [source = "", target = ""] = p.split(">");
      return { source, target };
    });
  const all = ids ?? [...new Set(edges.flatMap((e) => [e.source, e.target]))];
  return buildGraph({ nodes: all.map((id) => ({ id })), edges });
}

describe("flow graph", () => {
  it("ignores edges to unknown nodes and duplicate edges", () => {
    // a ─▶ b   (a ─▶ b twice, a ─▶ ghost)
    const g = graphOf("a>b a>b a>ghost", ["a", "b"]);
    expect(g.downstream.get("a")).toEqual(["b"]);
    expect(g.upstream.get("b")).toEqual(["a"]);
  });

  it("finds transitive ancestors and descendants", () => {
    //   a ─▶ b ─▶ d
    //   c ───────▶ d     e (isolated)
    const g = graphOf("a>b b>d c>d", ["a", "b", "c", "d", "e"]);
    expect([...ancestors(g, "d")].sort()).toEqual(["a", "b", "c"]);
    expect([...descendants(g, "a")].sort()).toEqual(["b", "d"]);
    expect(ancestors(g, "e").size).toBe(0);
  });

  it.each([
    // a ─▶ b ─▶ c ─▶ a
    ["a triangle", "a>b b>c c>a", [["a", "b", "c"]]],
    // a ─▶ a
    ["a self-loop", "a>a", [["a"]]],
    // a ⇄ b     c ⇄ d   (two separate cycles)
    [
      "two separate cycles",
      "a>b b>a c>d d>c",
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ],
    // a ─▶ b ─▶ c     (no cycle)
    ["a chain", "a>b b>c", []],
    // a ─▶ b ─▶ c ─▶ d ─▶ b   (cycle not through the first node)
    ["a cycle behind a tail", "a>b b>c c>d d>b", [["b", "c", "d"]]],
  ])("names the nodes on %s", (_name, spec, cycles) => {
    const found = findCycles(graphOf(spec));
    expect(found.map((c) => [...c]).sort()).toEqual(cycles);
  });

  it("orders nodes after their upstream nodes and rejects cycles", () => {
    //        ┌─▶ b ─┐
    //   a ───┤      ├─▶ d
    //        └─▶ c ─┘
    const order = topologicalOrder(graphOf("c>d a>b a>c b>d", ["d", "c", "b", "a"]));
    expect(order.indexOf("a")).toBeLessThan(order.indexOf("b"));
    expect(order.indexOf("c")).toBeLessThan(order.indexOf("d"));
    expect(order.indexOf("b")).toBeLessThan(order.indexOf("d"));
    expect(() => topologicalOrder(graphOf("a>b b>a"))).toThrow("cycle");
  });

  it("handles a long chain without deep recursion", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `n${i}`);
    const spec = ids
      .slice(1)
      .map((id, i) => `${ids[i]}>${id}`)
      .join(" ");
    const g = graphOf(`${spec} n19999>n0`, ids);
    expect(findCycles(g)[0]).toHaveLength(20_000);
  });
});

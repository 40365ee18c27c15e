/**
 * `parseFlow` returns a `ValidFlow`: the graph it checked travels with the flow object (so the
 * engine never rebuilds or re-checks it), but never into what is stored or sent: JSON, structured
 * clones and spreads drop it, and a copy is no longer valid.
 */
import { parseFlow } from "../src/flow/parse";
import { flowPlan, isValidFlow } from "../src/flow/valid-flow";
import { input, output, rawFlow, text } from "./support/flows";

// title ─▶ a ─▶ b ─▶ out, and title ─▶ b (a duplicate edge title ─▶ a counts once)
const raw = () => {
  const flow = rawFlow([input("title"), text("a", "a {{title}}"), text("b", "b {{a}} {{title}}"), output("out", "B")], "title>a title>a a>b title>b b>out");
  return { ...flow, viewport: { x: 1, y: 2, zoom: 1 } };
};

describe("ValidFlow", () => {
  it("carries the checked graph and the nodes by id", () => {
    const flow = parseFlow(raw());
    expect(isValidFlow(flow)).toBe(true);
    const { graph, nodes } = flowPlan(flow);
    expect(graph.ids).toEqual(["title", "a", "b", "out"]);
    expect(graph.upstream.get("b")).toEqual(["a", "title"]);
    expect(graph.upstream.get("a")).toEqual(["title"]);
    expect(nodes.get("b")?.type).toBe("text");
  });

  it("serializes exactly like the flow without the graph, extra keys kept", () => {
    const flow = parseFlow(raw());
    const json = JSON.parse(JSON.stringify(flow)) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(["edges", "nodes", "viewport"]);
    expect(structuredClone(flow)).toEqual(json);
    expect(Object.keys(flow).sort()).toEqual(["edges", "nodes", "viewport"]);
  });

  it("is not valid once copied or re-read from storage: flowPlan throws invalid_flow", () => {
    const flow = parseFlow(raw());
    expect(isValidFlow({ ...flow })).toBe(false);
    let err: unknown;
    try {
      flowPlan({ ...flow });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "invalid_flow" });
    const stored = JSON.parse(JSON.stringify(flow)) as typeof flow;
    expect(isValidFlow(stored)).toBe(false);
    expect(isValidFlow(parseFlow(stored))).toBe(true);
  });
});

import { editorInputColumns, freshName, layeredLayout, newNode, toEditorFlow, toFlowJson } from "../src/lib/flow-model";

describe("flow model", () => {
  it("picks fresh ids and names", () => {
    expect(freshName("text", ["text", "text_2"])).toBe("text_3");
    expect(freshName("text", [])).toBe("text");
  });

  /*
   *  a ─┐
   *     ├─► c ─► d
   *  b ─┘    ▲
   *  a ──────┘ (a also feeds c directly; depth of c is 1, d is 2)
   */
  it("lays out nodes in columns by longest path from a source", () => {
    const pos = layeredLayout(
      [{ id: "d" }, { id: "c" }, { id: "a" }, { id: "b" }],
      [
        { source: "a", target: "c" },
        { source: "b", target: "c" },
        { source: "c", target: "d" },
      ],
    );
    expect(pos.get("a")?.x).toBe(pos.get("b")?.x);
    expect(pos.get("c")!.x).toBeGreaterThan(pos.get("a")!.x);
    expect(pos.get("d")!.x).toBeGreaterThan(pos.get("c")!.x);
    expect(pos.get("a")?.y).not.toBe(pos.get("b")?.y);
  });

  it("survives a cycle without looping forever", () => {
    const pos = layeredLayout(
      [{ id: "a" }, { id: "b" }],
      [
        { source: "a", target: "b" },
        { source: "b", target: "a" },
      ],
    );
    expect(pos.size).toBe(2);
  });

  it("round-trips flow JSON, positions added when missing and blank optional fields dropped", () => {
    const editor = toEditorFlow({
      nodes: [
        { id: "title", type: "input", data: { column: "title" } },
        { id: "t", type: "text", data: { prompt: "Say {{title}}", system: "" }, selected: true },
      ],
      edges: [{ source: "title", target: "t" }],
    });
    expect(editor.nodes[1]?.position.x).toBeGreaterThan(editor.nodes[0]!.position.x);
    const json = toFlowJson(editor);
    expect(json.nodes[1]).toEqual({ id: "t", type: "text", position: editor.nodes[1]?.position, data: { prompt: "Say {{title}}" } });
    expect(json.edges[0]).toMatchObject({ source: "title", target: "t" });
    expect(editorInputColumns(editor)).toEqual(["title"]);
  });

  it("rejects JSON that is not a flow", () => {
    expect(() => toEditorFlow({ foo: 1 })).toThrow(/nodes/);
    expect(() => toEditorFlow("{")).toThrow();
  });

  it("adds nodes with defaults to the right of the flow", () => {
    const flow = toEditorFlow({ nodes: [{ id: "a", type: "input", position: { x: 0, y: 0 }, data: { column: "a" } }], edges: [] });
    const out = newNode("output", flow);
    expect(out.type).toBe("output");
    expect(out.data).toEqual({ name: "result" });
    expect(out.position.x).toBeGreaterThan(0);
  });
});

import { snapshotDiff } from "../src/lib/flow-diff";

const flow = (prompt: string, extra: Array<Record<string, unknown>> = []) => ({
  nodes: [
    { id: "title", type: "input", data: { column: "title" } },
    { id: "sum", type: "text", data: { model: "gemini-2.5-flash", prompt, label: "Summary" } },
    { id: "out", type: "output", data: { name: "Summary" } },
    ...extra,
  ],
  edges: [
    { id: "e1", source: "title", target: "sum" },
    { id: "e2", source: "sum", target: "out" },
  ],
});

describe("snapshot diff", () => {
  it("marks changed, added and removed nodes, batch nodes first", () => {
    const snapshot = flow("Summarize {{title}}", [{ id: "old", type: "output", data: { name: "Old" } }]);
    const current = flow("Shorten {{title}}", [{ id: "tone", type: "text", data: { model: "gemini-2.5-flash", prompt: "x" } }]);
    const diff = snapshotDiff(snapshot, current);
    expect(diff?.list).toEqual([
      { id: "sum", change: "changed" },
      { id: "old", change: "removed" },
      { id: "tone", change: "added" },
    ]);
  });

  it("ignores editor-only state (labels, positions) and reads an unfinished editor flow as given", () => {
    const snapshot = flow("Summarize {{title}}");
    const relabelled = flow("Summarize {{title}}");
    (relabelled.nodes[1]!.data as Record<string, unknown>).label = "Renamed";
    expect(snapshotDiff(snapshot, relabelled)?.list).toEqual([]);
    const unfinished = { nodes: [...flow("Summarize {{title}}").nodes, { id: "draft", type: "text", data: {} }], edges: flow("").edges };
    expect(snapshotDiff(snapshot, unfinished)?.list).toEqual([{ id: "draft", change: "added" }]);
    expect(snapshotDiff(snapshot, undefined)).toBeNull();
  });
});

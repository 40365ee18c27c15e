import { callLimitsFrom, stepKindsOf } from "../src/lib/call-limits-form";

describe("run dialog call limits", () => {
  it("offers only the step types the flow has", () => {
    const flow = { nodes: [{ type: "input" }, { type: "video" }, { type: "text" }, { type: "text" }, { type: "output" }] };
    expect(stepKindsOf(flow)).toEqual(["text", "video"]);
    expect(stepKindsOf({ nodes: [{ type: "input" }] })).toEqual([]);
  });

  it("turns filled fields into byKind limits, ignores blanks and types the flow lacks", () => {
    expect(callLimitsFrom({ text: " 10 ", video: "1", image: "3" }, ["text", "video"])).toEqual({ callLimits: { byKind: { text: 10, video: 1 } }, errors: {} });
    expect(callLimitsFrom({ text: "", video: "  " }, ["text", "video"])).toEqual({ errors: {} });
  });

  it("names each field that is not a whole number of at least 1", () => {
    const r = callLimitsFrom({ text: "0", video: "1.5", image: "x" }, ["text", "image", "video"]);
    expect(Object.keys(r.errors).sort()).toEqual(["image", "text", "video"]);
    expect(r.callLimits).toBeUndefined();
  });
});

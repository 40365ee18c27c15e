/** Small flows used by the local host tests. */

// topic ──▶ write (text) ──▶ out "line"
export const TEXT_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "write", type: "text", data: { model: "gemini-2.5-flash", prompt: "Write one line about {{topic}}." } },
    { id: "out", type: "output", data: { name: "line" } },
  ],
  edges: [
    { source: "topic", target: "write" },
    { source: "write", target: "out" },
  ],
};

// topic ──▶ write (text) ──▶ shorten (text) ──▶ out "line": two text layers for economy runs (shared with the functions tests)
export { TWO_LAYER_FLOW } from "../../../core/test/support/flows";

// topic ──▶ draw (image) ──▶ out "picture"
export const IMAGE_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "draw", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "A picture of {{topic}}" } },
    { id: "out", type: "output", data: { name: "picture" } },
  ],
  edges: [
    { source: "topic", target: "draw" },
    { source: "draw", target: "out" },
  ],
};

export const csvOf = (topics: string[]): string => `topic\n${topics.map((t) => `"${t.replace(/"/g, '""')}"`).join("\n")}\n`;

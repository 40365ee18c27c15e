/**
 * Small builders for flows in tests: nodes by type and edges from a compact "a>b b>c" spec.
 * `flowOf` runs the real `parseFlow`, so engine tests only ever see validated flows.
 */
import { parseFlow } from "../../src/flow/parse";
import type { ValidFlow } from "../../src/flow/valid-flow";

type RawNode = { id: string; type: string; data: Record<string, unknown> };

export const input = (id: string, column = id): RawNode => ({ id, type: "input", data: { column } });
export const text = (id: string, prompt: string, data: Record<string, unknown> = {}): RawNode => ({
  id,
  type: "text",
  data: { model: "gemini-2.5-flash", prompt, ...data },
});
export const image = (id: string, prompt: string): RawNode => ({ id, type: "image", data: { prompt } });
export const video = (id: string, prompt: string): RawNode => ({ id, type: "video", data: { prompt } });
export const output = (id: string, name: string): RawNode => ({ id, type: "output", data: { name } });

/** "a>b b>c" → edges e1: a→b, e2: b→c. */
export function edges(spec: string): Array<{ id: string; source: string; target: string }> {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((pair, i) => {
      const [source = "", target = ""] = pair.split(">");
      return { id: `e${i + 1}`, source, target };
    });
}

export function rawFlow(nodes: RawNode[], spec: string): { nodes: RawNode[]; edges: ReturnType<typeof edges> } {
  return { nodes, edges: edges(spec) };
}

export function flowOf(nodes: RawNode[], spec: string): ValidFlow {
  return parseFlow(rawFlow(nodes, spec));
}

// topic ──▶ write (text) ──▶ shorten (text) ──▶ out "line": two text layers for economy runs on either host
export const TWO_LAYER_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "write", type: "text", data: { model: "gemini-2.5-flash", prompt: "Write one line about {{topic}}." } },
    { id: "shorten", type: "text", data: { model: "gemini-2.5-flash", prompt: "Shorten: {{write}}" } },
    { id: "out", type: "output", data: { name: "line" } },
  ],
  edges: [
    { source: "topic", target: "write" },
    { source: "write", target: "shorten" },
    { source: "shorten", target: "out" },
  ],
};

import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import type { NodeOutput, NodeTrace, RowRun } from "../src/engine/types";
import { flowChanges } from "../src/flow/node-config";
import { flowOf, input, output, text } from "./support/flows";
import { ScriptedAi } from "./support/scripted-ai";

const noRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
const statuses = (trace: Record<string, NodeTrace>) => Object.fromEntries(Object.entries(trace).map(([id, t]) => [id, t.status]));

/** What a later pass passes back: the earlier run's outputs with their hashes. */
function reuseOf(run: RowRun): Record<string, { hash: string; output: NodeOutput }> {
  const out: Record<string, { hash: string; output: NodeOutput }> = {};
  for (const [id, output] of Object.entries(run.nodeOutputs)) {
    const hash = run.nodeHashes?.[id];
    if (hash !== undefined) out[id] = { hash, output };
  }
  return out;
}

//        ┌─▶ a ─▶ b ─▶ outB
// title ─┤
//        └─▶ c ─────▶ outC
const nodes = (aPrompt: string, extra: Record<string, unknown> = {}) => [
  input("title"),
  text("a", aPrompt, extra),
  text("b", "b {{a}}"),
  text("c", "c {{title}}"),
  output("outB", "B"),
  output("outC", "C"),
];
const spec = "title>a a>b b>outB title>c c>outC";

describe("ServerWorkflowEngine: keeping unchanged nodes (reuse)", () => {
  it("re-runs only the changed node and its dependents", async () => {
    const ai = new ScriptedAi();
    const engine = new ServerWorkflowEngine({ ai, nodeRetry: noRetry });
    const first = await engine.execute({ flow: flowOf(nodes("a {{title}}"), spec), row: { title: "x" } });
    expect(first.status).toBe("succeeded");
    expect(ai.calls).toHaveLength(3);

    const again = new ScriptedAi();
    const second = await new ServerWorkflowEngine({ ai: again, nodeRetry: noRetry }).execute({
      flow: flowOf(nodes("a, edited: {{title}}"), spec),
      row: { title: "x" },
      reuse: reuseOf(first),
    });
    expect(again.calls.map((c) => c.label).sort()).toEqual(["a,", "b"]);
    expect(statuses(second.trace)).toEqual({ title: "resumed", a: "succeeded", b: "succeeded", c: "resumed", outB: "succeeded", outC: "succeeded" });
    expect(second.outputs).toEqual({ B: { kind: "text", text: "<b <a, edited: x>>" }, C: { kind: "text", text: "<c x>" } });
    expect(second.nodeHashes?.c).toBe(first.nodeHashes?.c);
    expect(second.nodeHashes?.a).not.toBe(first.nodeHashes?.a);
    expect(second.usage.totalTokens).toBe(6);
  });

  it("keeps every node when nothing changed, and ignores editor-only fields", async () => {
    const engine = new ServerWorkflowEngine({ ai: new ScriptedAi(), nodeRetry: noRetry });
    const first = await engine.execute({ flow: flowOf(nodes("a {{title}}"), spec), row: { title: "x" } });
    const ai = new ScriptedAi();
    const second = await new ServerWorkflowEngine({ ai, nodeRetry: noRetry }).execute({
      flow: flowOf(nodes("a {{title}}", { label: "Renamed step" }), spec),
      row: { title: "x" },
      reuse: reuseOf(first),
    });
    expect(ai.calls).toHaveLength(0);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.nodeHashes).toEqual(first.nodeHashes);
  });

  it("runs a node again when its inputs changed, though its configuration did not", async () => {
    const engine = new ServerWorkflowEngine({ ai: new ScriptedAi(), nodeRetry: noRetry });
    const flow = flowOf(nodes("a {{title}}"), spec);
    const first = await engine.execute({ flow, row: { title: "x" } });
    const ai = new ScriptedAi();
    await new ServerWorkflowEngine({ ai, nodeRetry: noRetry }).execute({ flow, row: { title: "y" }, reuse: reuseOf(first) });
    expect(ai.calls.map((c) => c.label).sort()).toEqual(["a", "b", "c"]);
  });

  it("runs a node again when a setting other than the prompt changed", async () => {
    const engine = new ServerWorkflowEngine({ ai: new ScriptedAi(), nodeRetry: noRetry });
    const first = await engine.execute({ flow: flowOf(nodes("a {{title}}"), spec), row: { title: "x" } });
    const ai = new ScriptedAi();
    await new ServerWorkflowEngine({ ai, nodeRetry: noRetry }).execute({
      flow: flowOf(nodes("a {{title}}", { temperature: 0.2 }), spec),
      row: { title: "x" },
      reuse: reuseOf(first),
    });
    // The scripted answer ignores the temperature, so `a` answers as before and `b`, fed the same
    // text, is kept: dependents re-run only when what they receive changes.
    expect(ai.calls.map((c) => c.label)).toEqual(["a"]);
  });

  it("gives resumed nodes the same hashes as the run that produced them", async () => {
    const flow = flowOf(nodes("a {{title}}"), spec);
    const first = await new ServerWorkflowEngine({ ai: new ScriptedAi(), nodeRetry: noRetry }).execute({ flow, row: { title: "x" } });
    const resumed = await new ServerWorkflowEngine({ ai: new ScriptedAi(), nodeRetry: noRetry }).execute({
      flow,
      row: { title: "x" },
      resume: first.nodeOutputs,
    });
    expect(statuses(resumed.trace).a).toBe("resumed");
    expect(resumed.nodeHashes).toEqual(first.nodeHashes);
  });
});

describe("flowChanges", () => {
  it("names added, removed and changed nodes; a label alone is no change", () => {
    const from = flowOf(nodes("a {{title}}"), spec);
    const to = flowOf(
      [input("title"), text("a", "a {{title}}", { label: "x" }), text("b", "b2 {{a}}"), text("d", "d {{title}}"), output("outB", "B"), output("outD", "D")],
      "title>a a>b b>outB title>d d>outD",
    );
    expect(Object.fromEntries(flowChanges(from, to))).toEqual({ b: "changed", d: "added", outD: "added", c: "removed", outC: "removed" });
  });
});

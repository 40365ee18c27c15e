import { PermanentError } from "../src/errors";
import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import { parseFlow } from "../src/flow/parse";
import type { NodeTrace } from "../src/engine/types";
import { flowOf, image, input, output, text, video } from "./support/flows";
import { ScriptedAi, deferred, tick, type Handler } from "./support/scripted-ai";

const noRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
const engineWith = (handler?: Handler) => {
  const ai = new ScriptedAi(handler);
  return { ai, engine: new ServerWorkflowEngine({ ai, nodeRetry: noRetry }) };
};
/** Resolves when `gate` opens, or after a few macrotasks so a wrong engine fails an assertion instead of hanging. */
const gateOrGiveUp = async (gate: Promise<void>) =>
  Promise.race([
    gate,
    (async () => {
      for (let i = 0; i < 50; i++) await tick();
    })(),
  ]);
const statuses = (trace: Record<string, NodeTrace>) => Object.fromEntries(Object.entries(trace).map(([id, t]) => [id, t.status]));

describe("ServerWorkflowEngine: scheduling", () => {
  it("runs a chain in order, feeding each output downstream", async () => {
    // title ─▶ a ─▶ b ─▶ out
    const flow = flowOf([input("title"), text("a", "a {{title}}"), text("b", "b {{a}}"), output("out", "Result")], "title>a a>b b>out");
    const { ai, engine } = engineWith();
    const run = await engine.execute({ flow, row: { title: "x" } });
    expect(run.status).toBe("succeeded");
    expect(ai.events).toEqual(["start a", "end a", "start b", "end b"]);
    expect(run.outputs).toEqual({ Result: { kind: "text", text: "<b <a x>>" } });
    expect(run.nodeOutputs).toEqual({
      title: { kind: "text", text: "x" },
      a: { kind: "text", text: "<a x>" },
      b: { kind: "text", text: "<b <a x>>" },
    });
    expect(statuses(run.trace)).toEqual({ title: "succeeded", a: "succeeded", b: "succeeded", out: "succeeded" });
    expect(run.usage).toEqual({ inputTokens: 2, outputTokens: 4, totalTokens: 6 });
    expect(run.trace.a).toMatchObject({ model: "gemini-2.5-flash", usage: { totalTokens: 3 }, attempts: 1 });
    expect(run.error).toBeUndefined();
  });

  it("overlaps the two branches of a diamond", async () => {
    //              ┌─▶ b ─┐
    // in ─▶ a ─────┤      ├─▶ d ─▶ out
    //              └─▶ c ─┘
    const flow = flowOf(
      [input("in"), text("a", "a {{in}}"), text("b", "b {{a}}"), text("c", "c {{a}}"), text("d", "d {{b}} {{c}}"), output("out", "D")],
      "in>a a>b a>c b>d c>d d>out",
    );
    const bothStarted = deferred();
    let started = 0;
    const { ai, engine } = engineWith(async (call) => {
      if (call.label !== "b" && call.label !== "c") return undefined;
      if (++started === 2) bothStarted.resolve();
      await gateOrGiveUp(bothStarted.promise);
      return undefined;
    });
    const run = await engine.execute({ flow, row: { in: "x" } });
    // Both branch calls started before either finished: they ran at the same time.
    expect(Math.max(ai.at("start b"), ai.at("start c"))).toBeLessThan(Math.min(ai.at("end b"), ai.at("end c")));
    expect(ai.at("start d")).toBeGreaterThan(Math.max(ai.at("end b"), ai.at("end c")));
    expect(run.outputs.D).toEqual({ kind: "text", text: "<d <b <a x>> <c <a x>>>" });
  });

  it("starts a node as soon as its own inputs are done, not level by level", async () => {
    //        ┌─▶ slow ───────────▶ o1
    // in ────┤
    //        └─▶ fast ─▶ next ───▶ o2
    const flow = flowOf(
      [input("in"), text("slow", "slow {{in}}"), text("fast", "fast {{in}}"), text("next", "next {{fast}}"), output("o1", "S"), output("o2", "N")],
      "in>slow in>fast fast>next slow>o1 next>o2",
    );
    const nextStarted = deferred();
    const { ai, engine } = engineWith(async (call) => {
      if (call.label === "next") nextStarted.resolve();
      if (call.label === "slow") await gateOrGiveUp(nextStarted.promise);
      return undefined;
    });
    const run = await engine.execute({ flow, row: { in: "x" } });
    expect(ai.at("start next")).toBeLessThan(ai.at("end slow"));
    expect(run.status).toBe("succeeded");
  });
});

describe("ServerWorkflowEngine: failures", () => {
  it("fails the row, skips the failed branch's dependents and finishes the independent branch", async () => {
    //        ┌─▶ bad ─▶ after ─▶ o1
    // in ────┤
    //        └─▶ good ─────────▶ o2
    const flow = flowOf(
      [input("in"), text("bad", "bad {{in}}"), text("after", "after {{bad}}"), text("good", "good {{in}}"), output("o1", "A"), output("o2", "G")],
      "in>bad bad>after after>o1 in>good good>o2",
    );
    const { ai, engine } = engineWith(async (call) => {
      if (call.label === "bad") throw new PermanentError("bad_request", "Rejected");
      await tick();
      return undefined;
    });
    const run = await engine.execute({ flow, row: { in: "x" } });
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({ code: "bad_request", message: "Rejected", retryable: false, nodeId: "bad" });
    expect(statuses(run.trace)).toEqual({ in: "succeeded", bad: "failed", after: "skipped", o1: "skipped", good: "succeeded", o2: "succeeded" });
    expect(run.trace.after?.error?.code).toBe("upstream_failed");
    expect(ai.count("after")).toBe(0);
    expect(run.outputs).toEqual({ G: { kind: "text", text: "<good x>" } });
  });

  it("reports the first node that failed as the row error", async () => {
    //        ┌─▶ late ──▶ o1
    // in ────┤
    //        └─▶ early ─▶ o2
    const flow = flowOf([input("in"), text("late", "late"), text("early", "early"), output("o1", "L"), output("o2", "E")], "in>late in>early late>o1 early>o2");
    const { engine } = engineWith(async (call) => {
      if (call.label === "late") await tick();
      throw new PermanentError(call.label === "late" ? "safety_blocked" : "bad_request", `${call.label} failed`);
    });
    const run = await engine.execute({ flow, row: { in: "x" } });
    expect(run.error).toMatchObject({ code: "bad_request", nodeId: "early" });
    expect(run.trace.late?.error?.code).toBe("safety_blocked");
  });

  it("hides unknown provider errors behind a generic internal error", async () => {
    // in ─▶ a ─▶ out
    const flow = flowOf([input("in"), text("a", "a {{in}}"), output("out", "A")], "in>a a>out");
    const { engine } = engineWith(() => {
      throw new Error("GET https://x/?key=AIzaSECRET failed");
    });
    const run = await engine.execute({ flow, row: { in: "x" } });
    expect(run.error).toEqual({ code: "internal", message: "Internal error", retryable: true, nodeId: "a" });
    expect(JSON.stringify(run)).not.toContain("SECRET");
  });

  it("fails an input node whose column is missing from the row", async () => {
    // in ─▶ out
    const flow = flowOf([input("in", "title"), output("out", "T")], "in>out");
    const run = await new ServerWorkflowEngine({ ai: new ScriptedAi() }).execute({ flow, row: {} });
    expect(run.error).toMatchObject({ code: "invalid_input", nodeId: "in" });
    expect(run.error?.message).toContain('"title"');
  });
});

/** Paths of every `undefined` value (Firestore rejects them). */
function undefinedPaths(value: unknown, path = "run"): string[] {
  if (value === undefined) return [path];
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return [];
  return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${path}.${k}`));
}

describe("ServerWorkflowEngine: storable results", () => {
  it("never puts undefined values in a run with succeeded, failed, skipped and resumed nodes", async () => {
    //        ┌─▶ bad ─▶ after ─▶ o1
    // in ────┼─▶ good ─────────▶ o2
    //        └─▶ saved ────────▶ o3
    const flow = flowOf(
      [
        input("in"),
        text("bad", "bad"),
        text("after", "after {{bad}}"),
        text("good", "good {{in}}"),
        text("saved", "saved"),
        output("o1", "A"),
        output("o2", "G"),
        output("o3", "S"),
      ],
      "in>bad bad>after after>o1 in>good good>o2 in>saved saved>o3",
    );
    const { engine } = engineWith((call) => {
      if (call.label === "bad") throw new PermanentError("bad_request", "no");
      return undefined;
    });
    const run = await engine.execute({ flow, row: { in: "x" }, resume: { saved: { kind: "text", text: "S" } } });
    expect(statuses(run.trace)).toMatchObject({ bad: "failed", after: "skipped", good: "succeeded", saved: "resumed" });
    expect(undefinedPaths(run)).toEqual([]);
  });
});

describe("ServerWorkflowEngine: values", () => {
  // title ─▶ a ─▶ o1
  //   └──────────▶ o2
  it.each([
    ["leading and trailing spaces", "  padded  "],
    ["unicode", "日本語 ✓ émoji 🎉 Ω"],
    ["newlines and tabs", "line1\n\tline2\r\n"],
    ["an empty cell", ""],
    ["template-looking text, not re-expanded", "{{title}} {{a}}"],
    ["replacement patterns", "$& $1 $$"],
  ])("passes %s through verbatim", async (_name, cell) => {
    const flow = flowOf([input("title"), text("a", "a {{title}}|"), output("o1", "A"), output("o2", "Raw")], "title>a a>o1 title>o2");
    const { ai, engine } = engineWith();
    const run = await engine.execute({ flow, row: { title: cell } });
    expect(ai.calls[0]?.prompt).toBe(`a ${cell}|`);
    expect(run.nodeOutputs.title).toEqual({ kind: "text", text: cell });
    expect(run.outputs.Raw).toEqual({ kind: "text", text: cell });
  });

  it("renders system templates and passes node settings to the provider", async () => {
    // tone ─▶ a ─▶ out
    const flow = flowOf([input("tone"), text("a", "a hello", { system: "Be {{ tone }}.", model: "gemini-2.5-pro" }), output("out", "A")], "tone>a a>out");
    const { ai, engine } = engineWith(() => ({ model: "gemini-2.5-pro-001" }));
    const run = await engine.execute({ flow, row: { tone: "brief" } });
    expect(ai.calls[0]).toMatchObject({ system: "Be brief.", model: "gemini-2.5-pro" });
    expect(run.trace.a?.model).toBe("gemini-2.5-pro-001");
  });

  it("resolves {{node.field}} into JSON outputs, nested and with whitespace", async () => {
    // in ─▶ meta(json) ─▶ use ─▶ out
    const flow = flowOf(
      [
        input("in"),
        text("meta", "meta {{in}}", { jsonSchema: { type: "object" } }),
        text("use", "use {{meta.title}}|{{ meta.tags.main }}|{{meta.n}}|{{meta.list.1}}|{{meta}}"),
        output("out", "U"),
      ],
      "in>meta meta>use use>out",
    );
    const value = { title: "T", tags: { main: "m" }, n: 3, list: ["x", "y"] };
    const { ai, engine } = engineWith((call) => (call.label === "meta" ? { text: JSON.stringify(value), json: value } : undefined));
    const run = await engine.execute({ flow, row: { in: "x" } });
    expect(run.nodeOutputs.meta).toEqual({ kind: "json", text: JSON.stringify(value), value });
    expect(ai.calls[1]?.prompt).toBe(`use T|m|3|y|${JSON.stringify(value)}`);
    expect(ai.calls[0]?.jsonSchema).toEqual({ type: "object" });
  });

  it.each([
    ["a missing top-level field", { other: 1 }, "title"],
    ["a missing nested field", { title: "T", tags: {} }, "tags.main"],
  ])("fails the referencing node with model_error on %s", async (_name, value, field) => {
    // in ─▶ meta(json) ─▶ use ─▶ out
    const flow = flowOf(
      [input("in"), text("meta", "meta {{in}}", { jsonSchema: { type: "object" } }), text("use", "use {{meta.title}} {{meta.tags.main}}"), output("out", "U")],
      "in>meta meta>use use>out",
    );
    const { ai, engine } = engineWith((call) => (call.label === "meta" ? { text: JSON.stringify(value), json: value } : undefined));
    const run = await engine.execute({ flow, row: { in: "x" } });
    expect(run.error).toMatchObject({ code: "model_error", retryable: false, nodeId: "use" });
    expect(run.error?.message).toContain(`"${field}"`);
    expect(ai.count("use")).toBe(0);
  });

  it("parses JSON text when the provider gives no parsed value, and rejects non-JSON", async () => {
    // in ─▶ meta(json) ─▶ out
    const flow = flowOf([input("in"), text("meta", "meta {{in}}", { jsonSchema: { type: "object" } }), output("out", "M")], "in>meta meta>out");
    const ok = await engineWith(() => ({ text: '{"a":1}' })).engine.execute({ flow, row: { in: "x" } });
    expect(ok.outputs.M).toEqual({ kind: "json", text: '{"a":1}', value: { a: 1 } });
    const bad = await engineWith(() => ({ text: "not json" })).engine.execute({ flow, row: { in: "x" } });
    expect(bad.error).toMatchObject({ code: "model_error", nodeId: "meta" });
  });

  it("returns image and video outputs as media", async () => {
    // in ─▶ pic ─▶ o1
    //  └──▶ clip ─▶ o2
    const flow = flowOf(
      [input("in"), image("pic", "pic {{in}}"), video("clip", "clip {{in}}"), output("o1", "Pic"), output("o2", "Clip")],
      "in>pic in>clip pic>o1 clip>o2",
    );
    const { ai, engine } = engineWith();
    const run = await engine.execute({ flow, row: { in: "cat" } });
    expect(run.outputs.Pic).toEqual({ kind: "media", mimeType: "image/png", data: new Uint8Array([137, 80, 78]) });
    expect(run.outputs.Clip).toMatchObject({ kind: "media", mimeType: "video/mp4" });
    expect(ai.calls.map((c) => `${c.kind}:${c.prompt}`).sort()).toEqual(["image:pic cat", "video:clip cat"]);
  });

  it("calls onNodeDone once per node with its trace and output", async () => {
    // in ─▶ a ─▶ out
    const flow = flowOf([input("in"), text("a", "a {{in}}"), output("out", "A")], "in>a a>out");
    const seen: string[] = [];
    const run = await engineWith().engine.execute({
      flow,
      row: { in: "x" },
      onNodeDone: (id, trace, out) => void seen.push(`${id}:${trace.status}:${out?.kind ?? "-"}`),
    });
    expect(run.status).toBe("succeeded");
    expect(seen).toEqual(["in:succeeded:text", "a:succeeded:text", "out:succeeded:text"]);
  });
});

describe("ServerWorkflowEngine: only validated flows", () => {
  it("rejects a raw flow and a copy of a validated one with invalid_flow, and runs the parsed one", async () => {
    // in ─▶ a ─▶ out      (a has no model: parseFlow applies the default)
    const raw = {
      nodes: [input("in"), { id: "a", type: "text", data: { prompt: "a {{in}}" } }, output("out", "A")],
      edges: [
        { source: "in", target: "a" },
        { source: "a", target: "out" },
      ],
    };
    const { ai, engine } = engineWith();
    await expect(engine.execute({ flow: raw as never, row: { in: "x" } })).rejects.toMatchObject({ code: "invalid_flow" });
    const valid = parseFlow(raw);
    await expect(engine.execute({ flow: { ...valid }, row: { in: "x" } })).rejects.toMatchObject({ code: "invalid_flow" });
    expect(ai.calls).toHaveLength(0);
    const run = await engine.execute({ flow: valid, row: { in: "x" } });
    expect(run.status).toBe("succeeded");
    expect(ai.calls[0]?.model).toBe("gemini-2.5-flash");
  });
});

/**
 * Bounded JSON: flows, rows and model answers are checked before anything stores them (depth,
 * reserved keys, nested arrays, size), so no stored document can break the store's own queries;
 * malformed batch ids and cursors are refused before a store path is built.
 */
import type { BatchDeps } from "../src/batch/api";
import { exportRows } from "../src/batch/export";
import { ValidationError, PermanentError } from "../src/errors";
import { MAX_COLUMN_NAME_BYTES } from "../src/batch/limits";
import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import { MAX_FLOW_BYTES, parseFlow } from "../src/flow/parse";
import { MAX_JSON_DEPTH } from "../src/json-limits";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";
import { flowOf, input, output, text } from "./support/flows";
import { ScriptedAi } from "./support/scripted-ai";

/** `{a:{a:...leaf}}` with `levels` nested objects. */
function nested(levels: number, leaf: unknown = "x"): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

/** TWO_STEP_FLOW with extra keys merged into the `draft` node's data. */
const withDraftData = (extra: Record<string, unknown>) => ({
  ...TWO_STEP_FLOW,
  nodes: TWO_STEP_FLOW.nodes.map((n) => (n.id === "draft" ? { ...n, data: { ...n.data, ...extra } } : n)),
});
/** The same, but built from JSON text so `__proto__` is a real own key (as in an HTTP body). */
const draftWithRawKey = (key: string) => JSON.parse(JSON.stringify(withDraftData({ [`@@${key}`]: { x: 1 } })).replace(`@@${key}`, key)) as unknown;

function flowProblems(raw: unknown): { path: string; message: string }[] {
  try {
    parseFlow(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details ?? [];
  }
  throw new Error("the flow was accepted");
}

describe("parseFlow bounds the flow as a whole", () => {
  // nodes[2].data.deep = 4 steps, so `nested(12)` below it reaches exactly 16.
  const atLimit = withDraftData({ deep: nested(MAX_JSON_DEPTH - 4) });
  const overLimit = withDraftData({ deep: nested(MAX_JSON_DEPTH - 3) });

  it.each<[string, unknown, RegExp, RegExp]>([
    ["1,001 levels in node data", withDraftData({ deep: nested(1001) }), /^nodes\[2\]\.data\.deep(\.a)+$/, /more than 16 levels/],
    ["one level over the limit", overLimit, /^nodes\[2\]\.data\.deep/, /more than 16 levels/],
    ["a __proto__ key in node data", draftWithRawKey("__proto__"), /^nodes\[2\]\.data\.__proto__$/, /reserved/],
    ["a constructor key in node data", withDraftData({ constructor: "x" }), /^nodes\[2\]\.data\.constructor$/, /reserved/],
    ["a prototype key in node data", withDraftData({ prototype: {} }), /^nodes\[2\]\.data\.prototype$/, /reserved/],
    ["a store-reserved key in node data", withDraftData({ __x__: 1 }), /^nodes\[2\]\.data\.__x__$/, /reserved/],
    [
      "a reserved key in a JSON schema",
      withDraftData({ jsonSchema: { type: "object", properties: { __name__: { type: "string" } } } }),
      /jsonSchema\.properties\.__name__$/,
      /reserved/,
    ],
    ["an array inside an array", withDraftData({ grid: [[1, 2]] }), /^nodes\[2\]\.data\.grid\[0\]$/, /arrays directly inside arrays/],
    [
      "a reserved key on an edge",
      { ...TWO_STEP_FLOW, edges: [{ source: "topic", target: "draft", constructor: 1 }, ...TWO_STEP_FLOW.edges.slice(1)] },
      /^edges\[0\]\.constructor$/,
      /reserved/,
    ],
    ["a flow over the size limit", withDraftData({ notes: "n".repeat(MAX_FLOW_BYTES) }), /^flow$/, /at most 524288/],
  ])("%s is refused with its path", (_label, raw, path, message) => {
    const problems = flowProblems(raw);
    expect(problems.some((p) => path.test(p.path) && message.test(p.message))).toBe(true);
  });

  it("accepts 16 levels, and keeps editor keys in node data as given", () => {
    const flow = parseFlow({ ...atLimit, nodes: atLimit.nodes.map((n) => ({ ...n, data: { ...n.data, label: "Draft", color: "#f0a" } })) });
    expect(flow.nodes[2]!.data).toMatchObject({ label: "Draft", color: "#f0a", deep: nested(MAX_JSON_DEPTH - 4) });
  });
});

describe("createJob refuses what the store could not hold, before writing anything", () => {
  const good = () => ({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(2) });
  const rowWithRawKey = (key: string) => JSON.parse(`{"topic":"a","note":"","${key}":"b"}`) as Record<string, string>;

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["a flow nested 1,001 levels", { flow: withDraftData({ deep: nested(1001) }) }, "invalid_flow", /^flow\.nodes\[2\]\.data\.deep/],
    ["a flow with a __x__ key", { flow: withDraftData({ __x__: 1 }) }, "invalid_flow", /^flow\.nodes\[2\]\.data\.__x__$/],
    ["a flow with a nested array", { flow: withDraftData({ grid: [[1]] }) }, "invalid_flow", /^flow\.nodes\[2\]\.data\.grid\[0\]$/],
    ["a row with a __proto__ key", { rows: [rowWithRawKey("__proto__")] }, "invalid_input", /^rows\[0\]\.__proto__$/],
    ["a column named constructor", { columns: [...COLUMNS, "constructor"] }, "invalid_input", /^columns\[2\]$/],
    ["a column named __name__", { columns: [...COLUMNS, "__name__"] }, "invalid_input", /^columns\[2\]$/],
    ["a column name over the size limit", { columns: [...COLUMNS, "c".repeat(MAX_COLUMN_NAME_BYTES + 1)] }, "invalid_input", /^columns\[2\]$/],
  ])("%s: rejected with its path, nothing written", async (_label, patch, code, path) => {
    const h = makeHarness();
    const err = await h.handlers.createJob({ ...good(), ...patch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(code);
    expect((err as ValidationError).details?.map((d) => d.path).some((p) => path.test(p))).toBe(true);
    expect(h.store.writeLog).toHaveLength(0);
  });
});

describe("a model's JSON answer must be storable", () => {
  const flow = flowOf([input("in"), text("meta", "meta {{in}}", { jsonSchema: { type: "object" } }), output("out", "M")], "in>meta meta>out");
  const engineReturning = (json: unknown) =>
    new ServerWorkflowEngine({ ai: new ScriptedAi(() => ({ json })), nodeRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });

  it.each<[string, unknown, RegExp]>([
    ["nested 1,001 levels", nested(1001), /\(a(\.a)+: is nested more than 16 levels/],
    ["nested 17 levels", nested(17), /is nested more than 16 levels/],
    ["with a __proto__ key", JSON.parse('{"ok":1,"__proto__":{"x":1}}'), /\(__proto__: "__proto__" is a reserved name/],
    ["with a __name__ key deep inside", { a: [{ __name__: 1 }] }, /\(a\[0\]\.__name__:/],
  ])("an answer %s fails its node with invalid_output", async (_label, json, message) => {
    const run = await engineReturning(json).execute({ flow, row: { in: "x" } });
    expect(run.status).toBe("failed");
    expect(run.trace.meta?.error).toMatchObject({ code: "invalid_output", retryable: false });
    expect(run.trace.meta?.error?.message).toMatch(message);
    expect(run.error).toMatchObject({ code: "invalid_output", nodeId: "meta" });
  });

  it.each<[string, unknown]>([
    ["16 levels", nested(16)],
    ["constructor and prototype keys", { constructor: "Ada", prototype: "v1" }],
    ["arrays of arrays (stored as JSON text)", { grid: [[1, 2], [3]] }],
  ])("an answer with %s is fine", async (_label, json) => {
    const run = await engineReturning(json).execute({ flow, row: { in: "x" } });
    expect(run.status).toBe("succeeded");
    expect(run.outputs.M).toMatchObject({ kind: "json", value: json });
  });

  it("a job whose answer was too deep still lists, exports and retries", async () => {
    const h = makeHarness({ ai: new ScriptedAi(() => ({ json: nested(1001) })) });
    const jsonFlow = {
      nodes: [input("topic"), input("note"), text("draft", "d {{topic}} {{note}}", { jsonSchema: { type: "object" } }), output("result", "result")],
      edges: [
        { source: "topic", target: "draft" },
        { source: "note", target: "draft" },
        { source: "draft", target: "result" },
      ],
    };
    const job = await h.handlers.createJob({ ownerId: "u1", flow: jsonFlow, columns: COLUMNS, rows: rowsOf(2), start: true });
    await h.drain();
    const done = await h.handlers.getJob({ ownerId: "u1" }, job.id);
    // Every row failed, so the job did; it must still read back.
    expect(done).toMatchObject({ status: "failed", failedRows: 2 });
    const page = await h.handlers.listResults({ ownerId: "u1" }, job.id);
    expect(page.results.map((r) => r.error?.code)).toEqual(["invalid_output", "invalid_output"]);
    let csv = "";
    // The export reads only the store.
    for await (const chunk of exportRows({ store: h.store } as unknown as BatchDeps, job.id, "csv")) csv += chunk;
    expect(csv.match(/returned JSON that cannot be stored/g)).toHaveLength(2);
    await expect(h.handlers.retryFailed({ ownerId: "u1" }, job.id)).resolves.toMatchObject({ rows: 2 });
  });
});

describe("batch ids and cursors from callers", () => {
  it.each(["a/rows/00000", "../x", "", "x".repeat(129), "a b", "%zz", "__x__"])("id %j is not found, without touching the store", async (id) => {
    const h = makeHarness();
    for (const call of [
      () => h.handlers.getJob({ ownerId: "u1" }, id),
      () => h.handlers.startJob({ ownerId: "u1" }, id),
      () => h.handlers.listResults({ ownerId: "u1" }, id),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as PermanentError).code).toBe("not_found");
      expect((err as PermanentError).message).toMatch(/batch ids are/);
    }
  });

  it.each(["abc", "-1", "1.5", "1e3", "9999999999"])("cursor %j is refused naming the cursor", async (cursor) => {
    const h = makeHarness();
    const job = await h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1) });
    const err = await h.handlers.listResults({ ownerId: "u1" }, job.id, { cursor }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details?.[0]?.path).toBe("cursor");
  });
});

/**
 * estimateBatch: rendered prompts counted by the provider's counter, output tokens from
 * maxOutputTokens (or a dry run), prices from the table, time from concurrency and model limits;
 * no job and no generation call unless a dry run is asked for.
 */
import { estimateTokens } from "../src/ai/offline-content";
import { makespanMs, outputTokensPerCall, UNCAPPED_OUTPUT_TOKENS } from "../src/batch/estimate-math";
import { SAMPLE_ROWS, sampleRows } from "../src/batch/estimate";
import { MemoryGovernor } from "../src/governor/memory-governor";
import { costOf } from "../src/governor/prices";
import { TextNodeData, type TextNode } from "../src/flow/schema";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";
import { CountingAi } from "./support/counting-ai";

const owner = { ownerId: "u1" };

/** topic ──▶ summary (text, maxOutputTokens 100) ──▶ out */
const CAPPED_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "summary", type: "text", data: { prompt: "Summarise {{topic}}", maxOutputTokens: 100 } },
    { id: "out", type: "output", data: { name: "summary" } },
  ],
  edges: [
    { source: "topic", target: "summary" },
    { source: "summary", target: "out" },
  ],
};

describe("estimateBatch", () => {
  test("counts every rendered prompt with the provider's counter, creates nothing and generates nothing", async () => {
    const ai = new CountingAi();
    const h = makeHarness({ ai });
    const rows = rowsOf(3);
    const est = await h.handlers.estimateBatch(owner, { flow: CAPPED_FLOW, columns: COLUMNS, rows, concurrency: 2 });
    expect(ai.generations).toBe(0);
    expect(ai.counts).toBe(3);
    expect(await h.store.query("batch_jobs")).toHaveLength(0);
    const input = rows.reduce((n, r) => n + estimateTokens(`Summarise ${r.topic}`), 0);
    expect(est).toMatchObject({ rows: 3, calls: 3, inputTokens: input, sampled: false, sampleRows: 3, tokenCounter: "provider" });
    expect(est.outputTokens).toEqual({ low: 15, expected: 75, high: 300 });
    const price = (out: number) => costOf("gemini-2.5-flash", { usage: { inputTokens: input, outputTokens: out } }).usd;
    expect(est.costUsd.high).toBeCloseTo(price(300), 9);
    expect(est.costUsd.expected).toBeCloseTo(price(75), 9);
    expect(est.costUsd.low).toBeLessThan(est.costUsd.expected);
    expect(est.durationMs.low).toBeLessThan(est.durationMs.expected);
    expect(est.durationMs.expected).toBeLessThan(est.durationMs.high);
    expect(est.perNode).toEqual([expect.objectContaining({ nodeId: "summary", type: "text", model: "gemini-2.5-flash", calls: 3, priced: true })]);
  });

  test("a later node's prompt holds a stand-in of the upstream answer's expected length", async () => {
    const h = makeHarness({ ai: new CountingAi() });
    const est = await h.handlers.estimateBatch(owner, { flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1) });
    const polish = est.perNode.find((n) => n.nodeId === "polish");
    expect(polish?.inputTokens).toBeGreaterThanOrEqual(UNCAPPED_OUTPUT_TOKENS.expected);
    expect(est.calls).toBe(2);
    // Low and high price the stand-in at the upstream answer's low and high lengths.
    const at = (level: "low" | "high") => {
      const input = (polish?.inputTokens ?? 0) + UNCAPPED_OUTPUT_TOKENS[level] - UNCAPPED_OUTPUT_TOKENS.expected;
      return costOf("gemini-2.5-flash", { usage: { inputTokens: input, outputTokens: UNCAPPED_OUTPUT_TOKENS[level] } }).usd;
    };
    expect(polish?.costUsd.low).toBeCloseTo(at("low"), 12);
    expect(polish?.costUsd.high).toBeCloseTo(at("high"), 12);
  });

  test("beyond the sample size, a seeded sample is counted and scaled up (same seed, same answer)", async () => {
    const ai = new CountingAi();
    const h = makeHarness({ ai, limits: { maxRows: 5_000 } });
    const rows = Array.from({ length: 1_000 }, () => ({ topic: "same length", note: "" }));
    const input = { flow: CAPPED_FLOW, columns: COLUMNS, rows, seed: 7 };
    const a = await h.handlers.estimateBatch(owner, input);
    expect(ai.counts).toBe(SAMPLE_ROWS);
    expect(a).toMatchObject({ rows: 1_000, sampled: true, sampleRows: SAMPLE_ROWS, inputTokens: 1_000 * estimateTokens("Summarise same length") });
    expect(await h.handlers.estimateBatch(owner, input)).toEqual(a);
    expect(
      sampleRows(
        rows.map((_, i) => i),
        7,
      ),
    ).toEqual(
      sampleRows(
        rows.map((_, i) => i),
        7,
      ),
    );
    expect(
      new Set(
        sampleRows(
          rows.map((_, i) => i),
          7,
        ),
      ).size,
    ).toBe(SAMPLE_ROWS);
  });

  test("a sample of a larger batch is scaled to totalRows", async () => {
    const h = makeHarness({ ai: new CountingAi() });
    const est = await h.handlers.estimateBatch(owner, { flow: CAPPED_FLOW, columns: COLUMNS, rows: rowsOf(10), totalRows: 100 });
    expect(est).toMatchObject({ rows: 100, calls: 100, sampled: true, sampleRows: 10 });
  });

  test("without a working counter it falls back to the chars/4 approximation and says so", async () => {
    for (const ai of [new CountingAi({ countFails: true }), new CountingAi({ noCounter: true })]) {
      const h = makeHarness({ ai });
      const est = await h.handlers.estimateBatch(owner, { flow: CAPPED_FLOW, columns: COLUMNS, rows: rowsOf(2) });
      expect(est.tokenCounter).toBe("approximate");
      expect(est.inputTokens).toBe(2 * estimateTokens("Summarise topic 0"));
      expect(ai.generations).toBe(0);
    }
  });

  test("a dry run of k rows makes real calls, reports their cost and uses the measured output tokens", async () => {
    const ai = new CountingAi();
    const h = makeHarness({ ai });
    const est = await h.handlers.estimateBatch(owner, { flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(5), dryRunRows: 2 });
    expect(ai.generations).toBe(4);
    expect(est.dryRun).toMatchObject({ rows: 2, failedRows: 0 });
    expect(est.dryRun?.costUsd).toBeGreaterThan(0);
    const perRow = (est.dryRun?.costUsd ?? 0) / 2;
    // The offline answers are short: the expected figure follows them, far below the planning default.
    expect(est.costUsd.expected).toBeLessThan(perRow * 5 * 1.5);
    expect(est.outputTokens.expected).toBeLessThan(2 * 5 * UNCAPPED_OUTPUT_TOKENS.expected);
    expect(await h.store.query("batch_jobs")).toHaveLength(0);
  });

  test("the time estimate respects the model's RPM from the host's governor", async () => {
    const h = makeHarness({ ai: new CountingAi() });
    h.deps.engine = { ...h.deps.engine, governor: new MemoryGovernor({ clock: h.clock, defaults: { "gemini-2.5-flash": { rpm: 60 } } }) };
    const est = await h.handlers.estimateBatch(owner, { flow: CAPPED_FLOW, columns: COLUMNS, rows: rowsOf(120), concurrency: 50 });
    // 120 calls at 60 a minute take at least two minutes, however high the concurrency.
    expect(est.durationMs.low).toBeGreaterThanOrEqual(120_000);
  });

  test("is refused with the createJob validation problems for a bad flow", async () => {
    const h = makeHarness({ ai: new CountingAi() });
    await expect(h.handlers.estimateBatch(owner, { flow: { nodes: [] }, columns: COLUMNS, rows: rowsOf(1) })).rejects.toMatchObject({ code: "invalid_flow" });
    await expect(h.handlers.estimateBatch(owner, { flow: CAPPED_FLOW, columns: COLUMNS, rows: rowsOf(1), dryRunRows: 99 })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });
});

describe("estimate arithmetic", () => {
  const node = (data: Record<string, unknown>): TextNode => ({ id: "t", type: "text", data: TextNodeData.parse({ prompt: "x", ...data }) });

  test("output tokens: the cap and its shares, planning figures without one, measurements after a dry run", () => {
    expect(outputTokensPerCall(node({ maxOutputTokens: 1_000 }))).toEqual({ low: 50, expected: 250, high: 1_000 });
    expect(outputTokensPerCall(node({}))).toEqual(UNCAPPED_OUTPUT_TOKENS);
    expect(outputTokensPerCall(node({ maxOutputTokens: 1_000 }), [10, 30])).toEqual({ low: 10, expected: 20, high: 1_000 });
    expect(outputTokensPerCall(node({}), [10, 30])).toEqual({ low: 10, expected: 20, high: 60 });
  });

  test("makespan: rows over the concurrency, capped by RPM, TPM and model concurrency", () => {
    const base = { rows: 100, concurrency: 10, rowMs: 1_000, limits: {} };
    expect(makespanMs({ ...base, loads: [] })).toBe(10_000);
    expect(makespanMs({ ...base, loads: [{ model: "m", calls: 100, inputTokens: 0, busyMs: 0 }], limits: { m: { rpm: 50 } } })).toBe(120_000);
    expect(makespanMs({ ...base, loads: [{ model: "m", calls: 100, inputTokens: 1_000_000, busyMs: 0 }], limits: { m: { tpm: 100_000 } } })).toBe(600_000);
    expect(makespanMs({ ...base, loads: [{ model: "m", calls: 100, inputTokens: 0, busyMs: 100_000 }], limits: { m: { concurrency: 2 } } })).toBe(50_000);
  });
});

import type { RowResult } from "../../core/src/batch/model";
import { applyChanges, dropFailed, mergeResults } from "../src/lib/results-merge";

const result = (rowIndex: number, over: Partial<RowResult> = {}): RowResult => ({
  jobId: "j",
  rowIndex,
  pass: 0,
  status: "succeeded",
  outputs: {},
  nodeOutputs: {},
  trace: {},
  usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
  costUsd: 0,
  durationMs: 10,
  attempts: 1,
  startedAt: 0,
  finishedAt: 100,
  error: null,
  ...over,
});

describe("mergeResults", () => {
  it("ends in the same state whatever order results arrive in, newest pass winning", () => {
    const failed = result(1, { status: "failed", pass: 0, finishedAt: 100 });
    const retried = result(1, { status: "succeeded", pass: 1, finishedAt: 50 });
    const a = mergeResults(mergeResults(new Map(), { upserts: [failed] }), { upserts: [retried] });
    const b = mergeResults(mergeResults(new Map(), { upserts: [retried] }), { upserts: [failed] });
    expect(a.get(1)?.status).toBe("succeeded");
    expect(b.get(1)?.status).toBe("succeeded");
  });

  it("returns the same map when nothing changed, so React skips a render", () => {
    const m = mergeResults(new Map(), { upserts: [result(0)] });
    expect(mergeResults(m, { upserts: [result(0, { finishedAt: 1 })] })).toBe(m);
    expect(mergeResults(m, { upserts: [] })).toBe(m);
  });

  it("removes deleted rows and starts over on reset", () => {
    const m = mergeResults(new Map(), { upserts: [result(0), result(1), result(2)] });
    expect([...mergeResults(m, { upserts: [], removals: [1] }).keys()]).toEqual([0, 2]);
    expect([...mergeResults(m, { upserts: [result(5)], reset: true }).keys()]).toEqual([5]);
  });

  it("dropFailed clears only failed rows", () => {
    const m = mergeResults(new Map(), { upserts: [result(0), result(1, { status: "failed" })] });
    expect([...dropFailed(m).keys()]).toEqual([0]);
  });
});

describe("applyChanges", () => {
  it("applies a batch of changes in order like one merge after another", () => {
    const changes = [
      { upserts: [result(0), result(1, { status: "failed" })] },
      { upserts: [], removals: [1] },
      { upserts: [result(2)] },
      { upserts: [result(1, { pass: 1 })] },
    ];
    const stepwise = changes.reduce<ReadonlyMap<number, RowResult>>((m, c) => mergeResults(m, c), new Map());
    const batched = applyChanges(new Map(), changes);
    expect([...batched.entries()]).toEqual([...stepwise.entries()]);
    expect(batched.get(1)?.pass).toBe(1);
  });

  it("starts from empty at a reset in the middle and keeps the map when nothing changes", () => {
    const m = applyChanges(new Map(), [{ upserts: [result(0)] }]);
    expect([...applyChanges(m, [{ upserts: [result(3)] }, { upserts: [result(4)], reset: true }]).keys()]).toEqual([4]);
    expect(applyChanges(m, [{ upserts: [] }, { upserts: [], removals: [9] }])).toBe(m);
  });
});

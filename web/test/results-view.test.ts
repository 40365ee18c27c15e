import type { RowResult } from "../../core/src/batch/model";
import { outputKinds, rowContext, rowState, visibleRows } from "../src/lib/results-view";

const result = (rowIndex: number, status: RowResult["status"]): RowResult => ({ rowIndex, status, pass: 0, finishedAt: 1 }) as unknown as RowResult;

describe("results view", () => {
  const results = new Map([
    [0, result(0, "succeeded")],
    [2, result(2, "failed")],
    [3, result(3, "cancelled")],
  ]);

  const cancelled = rowContext({ status: "cancelled" });
  it("filters rows by status; rows without a result are pending while running and not run after a cancel", () => {
    expect(visibleRows(5, results, "all")).toEqual([0, 1, 2, 3, 4]);
    expect(visibleRows(5, results, "failed")).toEqual([2, 3]);
    expect(visibleRows(5, results, "succeeded")).toEqual([0]);
    expect(visibleRows(5, results, "pending")).toEqual([1, 4]);
    expect(visibleRows(5, results, "pending", cancelled)).toEqual([1, 4]);
    expect(rowState(undefined, rowContext({ status: "processing" }))).toBe("pending");
    expect(rowState(undefined, cancelled)).toBe("not run");
    expect(rowState(results.get(2), cancelled)).toBe("failed");
  });

  it("never calls a row of a finished, uncancelled job 'not run': its result is on its way", () => {
    // Every row failed fast: the job snapshot says failed before all result events arrived.
    for (const status of ["failed", "completed"] as const) {
      expect(rowState(undefined, rowContext({ status }), 4)).toBe("pending");
    }
  });

  it("shows a row waiting for a retry as retrying while the job runs", () => {
    const wait = { rowIndex: 1, attempt: 3, at: 10, nextAttemptAt: 20, error: { code: "rate_limited" as const, message: "429", retryable: true } };
    const ctx = rowContext({ status: "processing", retrying: [wait] });
    expect(rowState(undefined, ctx, 1)).toBe("retrying");
    expect(rowState(undefined, ctx, 4)).toBe("pending");
    expect(visibleRows(5, results, "pending", ctx)).toEqual([1, 4]);
    expect(rowState(undefined, rowContext({ status: "completed", retrying: [wait] }), 1)).toBe("pending");
  });

  /*
   *  topic ─► caption (text) ─► out_caption
   *        └► picture (image) ─► out_picture
   */
  it("knows which output columns hold media from the flow snapshot", () => {
    const kinds = outputKinds({
      nodes: [
        { id: "topic", type: "input", data: { column: "topic" } },
        { id: "caption", type: "text", data: {} },
        { id: "picture", type: "image", data: {} },
        { id: "out_caption", type: "output", data: { name: "caption" } },
        { id: "out_picture", type: "output", data: { name: "image" } },
      ],
      edges: [
        { source: "topic", target: "caption" },
        { source: "topic", target: "picture" },
        { source: "caption", target: "out_caption" },
        { source: "picture", target: "out_picture" },
      ],
    });
    expect(Object.fromEntries(kinds)).toEqual({ caption: "text", image: "image" });
  });
});

import { ESTIMATE_SAMPLE_ROWS, estimateRows } from "../src/lib/estimate-rows";

describe("estimateRows", () => {
  it("sends every row of a small CSV", () => {
    expect(estimateRows([1, 2, 3])).toEqual([1, 2, 3]);
  });

  it("sends an evenly spread sample of a large one, first row included, no duplicates", () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => i);
    const sample = estimateRows(rows);
    expect(sample).toHaveLength(ESTIMATE_SAMPLE_ROWS);
    expect(sample[0]).toBe(0);
    expect(sample[1]).toBe(5);
    expect(new Set(sample).size).toBe(ESTIMATE_SAMPLE_ROWS);
  });
});

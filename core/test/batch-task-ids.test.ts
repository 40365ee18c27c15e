import { makeRowTask, rowTaskId } from "../src/batch/task-ids";

describe("row task ids", () => {
  it("are valid Cloud Tasks names and the same for the same dispatch", () => {
    const id = rowTaskId(makeRowTask({ jobId: "job_A-1", pass: 0, rowIndex: 42, laneIndex: 3, gen: 0 }));
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,500}$/);
    expect(rowTaskId(makeRowTask({ jobId: "job_A-1", pass: 0, rowIndex: 42, laneIndex: 3, gen: 0 }))).toBe(id);
  });

  it("differ for a retry pass and for a re-driven lane generation", () => {
    const ids = new Set([
      rowTaskId(makeRowTask({ jobId: "j", pass: 0, rowIndex: 7, laneIndex: 1, gen: 0 })),
      rowTaskId(makeRowTask({ jobId: "j", pass: 1, rowIndex: 7, laneIndex: 1, gen: 0 })),
      rowTaskId(makeRowTask({ jobId: "j", pass: 0, rowIndex: 7, laneIndex: 1, gen: 1 })),
      rowTaskId(makeRowTask({ jobId: "j", pass: 0, rowIndex: 7, laneIndex: 2, gen: 0 })),
    ]);
    expect(ids.size).toBe(4);
  });

  it("do not share a prefix across consecutive rows (Cloud Tasks spreads by name)", () => {
    const prefixes = new Set(
      Array.from({ length: 100 }, (_, row) => rowTaskId(makeRowTask({ jobId: "job1", pass: 0, rowIndex: row, laneIndex: 0, gen: 0 })).slice(0, 3)),
    );
    expect(prefixes.size).toBeGreaterThan(90);
  });
});

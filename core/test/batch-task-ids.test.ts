import { makeRowTask, rowTaskId } from "../src/batch/task-ids";

describe("row task ids", () => {
  it("are valid Cloud Tasks names and the same for the same dispatch", () => {
    const id = rowTaskId(makeRowTask("job_A-1", 0, 42, 3, 0));
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,500}$/);
    expect(rowTaskId(makeRowTask("job_A-1", 0, 42, 3, 0))).toBe(id);
  });

  it("differ for a retry pass and for a re-driven lane generation", () => {
    const ids = new Set([
      rowTaskId(makeRowTask("j", 0, 7, 1, 0)),
      rowTaskId(makeRowTask("j", 1, 7, 1, 0)),
      rowTaskId(makeRowTask("j", 0, 7, 1, 1)),
      rowTaskId(makeRowTask("j", 0, 7, 2, 0)),
    ]);
    expect(ids.size).toBe(4);
  });

  it("do not share a prefix across consecutive rows (Cloud Tasks spreads by name)", () => {
    const prefixes = new Set(Array.from({ length: 100 }, (_, row) => rowTaskId(makeRowTask("job1", 0, row, 0, 0)).slice(0, 3)));
    expect(prefixes.size).toBeGreaterThan(90);
  });
});

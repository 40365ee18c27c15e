/**
 * Steals of short-row lanes: a busy lane is stolen from at most once between two commits of its
 * owner (`Lane.stolen`), so its group may then run its whole remaining range and no second steal
 * takes a row the group chose; thieves that read the same open lanes spread over them
 * (`pickVictim`); and only the last result of an idle lane's group commit takes the trigger's full
 * path (steal, roll-up, finalize check).
 */
import { ManualClock } from "../src/testing/manual-clock";
import { clearAttempts, newLane, steal } from "../src/batch/lanes";
import { jobPath } from "../src/batch/model";
import { pickVictim } from "../src/batch/row-commit";
import { type Lane, lanePath, stealable, storedLane } from "../src/batch/state";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf, type Harness, deliverOne, laneOf, HookedAi } from "./support/batch-harness";

const owner = { ownerId: "u1" };

const busy = (index: number, current: number, range: [number, number], rowMs: number | null = null): Lane => ({
  ...newLane(index, 0, range, 0),
  current,
  rowMs,
});

describe("one steal per busy lane between its owner's commits", () => {
  test("a steal marks a busy victim: no second steal until its owner takes a new position", () => {
    const victim = busy(0, 0, [1, 21]);
    const first = newLane(1, 0, [0, 0], 0);
    expect(steal(first, [victim])).toBe(victim);
    expect(victim).toMatchObject({ end: 11, stolen: true });
    expect(first).toMatchObject({ current: 11, next: 12, end: 21, stolen: false });
    expect(stealable(victim)).toBe(false);
    expect(storedLane(victim).open).toBe(false);
    // A second thief finds nothing on it, though ten positions are left.
    expect(steal(newLane(2, 0, [0, 0], 0), [victim])).toBeNull();
    // The owner's commit takes its next position: stealable again.
    clearAttempts(victim);
    expect(stealable(victim)).toBe(true);
  });

  test("rows as long as a group's target keep the lane stealable (its groups are of one row)", () => {
    const long = { ...busy(0, 0, [1, 9], 3_000), stolen: true };
    const short = { ...busy(1, 0, [1, 9], 400), stolen: true };
    expect(stealable(long)).toBe(true);
    expect(stealable(short)).toBe(false);
    expect(stealable({ ...short, stolen: false })).toBe(true);
  });

  test("an idle lane's range stays stealable (the flag only holds while busy)", () => {
    const idle = { ...newLane(0, 0, [3, 9], 0), stolen: true };
    expect(storedLane(idle)).toMatchObject({ stolen: false, open: true });
    const thief = newLane(1, 0, [0, 0], 0);
    expect(steal(thief, [idle])).toBe(idle);
    expect(storedLane(idle).stolen).toBe(false);
  });

  test("after the one steal the owner's group runs the rest of its range in one commit", async () => {
    let h: Harness | null = null;
    let jobId = "";
    const clock = new ManualClock(1_700_000_000_000);
    // While row 1 runs, two more lanes start: lane 1 steals [10, 20) from lane 0, and lane 2 can
    // only steal from lane 1 (lane 0 was stolen from since its owner's last commit).
    const grow = async (): Promise<void> => void (await h?.handlers.setConcurrency(owner, jobId, 3));
    h = makeHarness({ ai: new HookedAi(clock, "topic 1", grow) });
    const job = await h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(20), concurrency: 1 });
    jobId = job.id;
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h);
    expect(await laneOf(h, jobId, 1)).toMatchObject({ current: 10, next: 11, end: 15, stolen: true });
    expect(await laneOf(h, jobId, 2)).toMatchObject({ current: 15, next: 16 });
    // Lane 0's group ran 0 and 1, then (its lane not stealable any more) all of [2, 10), not only
    // the lower half of what it read: no thief can take any of them before this commit.
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // (its range ran dry, so the commit also stole the upper half of lane 2's range)
    expect(await laneOf(h, jobId, 0)).toMatchObject({ current: 18, next: 19, end: 20, succeeded: 10, stolen: false });
    expect(await laneOf(h, jobId, 2)).toMatchObject({ current: 15, next: 16, end: 18, stolen: true });
    await h.drain();
    expect(await h.handlers.getJob(owner, jobId)).toMatchObject({ status: "completed", completedRows: 20 });
    expect(h.counted.map((c) => c.rowIndex).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(h.started).toHaveLength(20);
  });
});

describe("thieves spread over the open lanes they read", () => {
  test("thieves of different indices pick different lanes among the largest ranges", () => {
    const lanes = [busy(4, 40, [41, 61]), busy(5, 70, [71, 89]), busy(6, 90, [91, 95])];
    const picks = [0, 1, 2, 3].map((thief) => pickVictim(thief, lanes)?.index);
    // Lanes 4 (20 left) and 5 (18 left) hold at least half of the largest; lane 6 (4 left) does not.
    expect(new Set(picks)).toEqual(new Set([4, 5]));
    expect(picks[0]).not.toBe(picks[1]);
  });

  test("never a lane that is not stealable, nor the thief itself", () => {
    const stolen = { ...busy(1, 10, [11, 40]), stolen: true };
    expect(pickVictim(0, [stolen])).toBeNull();
    expect(pickVictim(2, [busy(2, 0, [1, 30]), busy(3, 50, [51, 55])])?.index).toBe(3);
  });
});

describe("the result trigger of an idle lane's group", () => {
  test("only the last row of the commit reads the job and probes; the others read the lane alone", async () => {
    const h = makeHarness();
    const job = await h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(6), concurrency: 1 });
    await h.handlers.startJob(owner, job.id);
    await deliverOne(h); // rows 0, 1, 2 (the lower half of [1, 6))
    await deliverOne(h); // rows 3, 4, 5: the lane's row time is known and short, so all of it
    expect(h.counted.map((c) => c.rowIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await laneOf(h, job.id, 0)).toMatchObject({ current: null, next: 6, end: 6 });
    const results = h.created.filter((d) => d.path.includes("/results/"));
    const byRow = (row: number) => results.find((d) => (d.data as { rowIndex: number }).rowIndex === row);
    const get = jest.spyOn(h.store, "get");
    const query = jest.spyOn(h.store, "query");
    for (const row of [3, 4]) await h.handlers.onResultCreated(byRow(row) as NonNullable<ReturnType<typeof byRow>>);
    expect(get.mock.calls.map((c) => c[0])).toEqual([lanePath(job.id, 0), lanePath(job.id, 0)]);
    expect(query).not.toHaveBeenCalled();
    get.mockClear();
    await h.handlers.onResultCreated(byRow(5) as NonNullable<ReturnType<typeof byRow>>);
    expect(get.mock.calls.map((c) => c[0])).toContain(jobPath(job.id));
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 6 });
  });
});

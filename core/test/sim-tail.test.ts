import { tailReport, type LaneState } from "../src/sim/tail";
import type { Attempt } from "../src/sim/simulation";

const attempt = (lane: string, rowIndex: number, start: number, end: number, extra: Partial<Attempt> = {}): Attempt => ({
  jobId: "j",
  rowIndex,
  pass: 0,
  start,
  end,
  lane,
  attempt: 0,
  status: "succeeded",
  ...extra,
});
const state = (lane: string, at: number, current: number | null): LaneState => ({ jobId: "j", lane, at, current });

describe("sim tail report", () => {
  it("splits lane time into running, busy between rows and idle, and names the lane that ended last", () => {
    // Job from 0 to 10 s, two lanes. L000: busy 0–4 s running rows 0–2 and 2–4 s; idle from 4 s.
    // L001: busy 0–10 s, running 0–3 s and 5–9 s (a 2 s gap, then 1 s before its idle write at 10 s).
    const attempts = [
      attempt("L000", 0, 0, 2_000),
      attempt("L000", 1, 2_000, 4_000),
      attempt("L001", 2, 0, 3_000),
      attempt("L001", 3, 5_000, 9_000, { attempt: 1 }),
      attempt("L009", 9, 0, 1_000, { jobId: "other" }),
    ];
    const lanes = [state("L000", 0, 0), state("L000", 4_000, null), state("L001", 0, 2), state("L001", 10_000, null), state("L009", 0, 9)].map((s) =>
      s.lane === "L009" ? { ...s, jobId: "other" } : s,
    );
    const r = tailReport({ attempts, lanes, jobId: "j", t0: 0, end: 10_000, windowMs: 6_000 });
    expect(r.runningS).toBe(11);
    expect(r.idleS).toBe(6);
    expect(r.busyNotRunningS).toBe(3);
    expect(r.firstLaneDoneMs).toBe(4_000);
    expect(r.lastRowEndMs).toBe(9_000);
    expect(r.tailIdleS).toBe(6);
    expect(r.lastLane).toBe("L001");
    expect(r.lastLaneRows).toEqual([{ row: 3, startMs: 5_000, ms: 4_000, attempt: 1, status: "succeeded" }]);
  });

  it("counts a lane as idle before its first write", () => {
    const r = tailReport({
      attempts: [attempt("L000", 0, 1_000, 2_000)],
      lanes: [state("L000", 1_000, 0), state("L000", 2_000, null)],
      jobId: "j",
      t0: 0,
      end: 4_000,
    });
    expect(r.idleS).toBe(3);
    expect(r.runningS).toBe(1);
    expect(r.busyNotRunningS).toBe(0);
  });
});

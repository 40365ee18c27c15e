import { addSample, computeProgress, countSeen, formatDuration, formatRate, windowRate, withSeenResults, type JobCounts } from "../src/lib/progress";

const job = (over: Partial<JobCounts>): JobCounts => ({
  status: "processing",
  totalRows: 100,
  completedRows: 0,
  failedRows: 0,
  skippedRows: 0,
  startedAt: 0,
  finishedAt: null,
  ...over,
});

describe("computeProgress", () => {
  it("counts failed rows as finished and derives rate and time left from the average when there are no samples", () => {
    const p = computeProgress(job({ completedRows: 15, failedRows: 5 }), 60_000);
    expect(p.finished).toBe(20);
    expect(p.remaining).toBe(80);
    expect(p.fraction).toBeCloseTo(0.2);
    expect(p.ratePerMin).toBeCloseTo(20);
    expect(p.etaMs).toBe(240_000);
    expect(p.elapsedMs).toBe(60_000);
  });

  it("prefers the recent window over the average since the start", () => {
    const samples = [
      { at: 100_000, finished: 20 },
      { at: 110_000, finished: 30 },
    ];
    const p = computeProgress(job({ completedRows: 30 }), 110_000, samples);
    expect(p.ratePerMin).toBeCloseTo(60);
    expect(p.etaMs).toBe(70_000);
  });

  it("has no rate or time left before any row finished, and zero time left when done", () => {
    const fresh = computeProgress(job({ startedAt: null }), 5_000);
    expect(fresh.ratePerMin).toBeNull();
    expect(fresh.etaMs).toBeNull();
    const done = computeProgress(job({ status: "completed", completedRows: 90, failedRows: 10, finishedAt: 120_000 }), 999_999);
    expect(done.etaMs).toBe(0);
    expect(done.ratePerMin).toBeCloseTo(50);
    expect(done.fraction).toBe(1);
  });

  it("treats an empty finished job as complete", () => {
    expect(computeProgress(job({ status: "completed", totalRows: 0, finishedAt: 1 }), 2).fraction).toBe(1);
  });
});

describe("samples", () => {
  it("drops samples older than the window and restarts when the finished count goes down (a retry pass)", () => {
    let s = addSample([], { at: 0, finished: 0 }, 10_000);
    s = addSample(s, { at: 5_000, finished: 10 }, 10_000);
    s = addSample(s, { at: 12_000, finished: 20 }, 10_000);
    expect(s.map((x) => x.at)).toEqual([5_000, 12_000]);
    expect(windowRate(s)).toBeCloseTo((10 / 7_000) * 60_000);
    s = addSample(s, { at: 13_000, finished: 15 }, 10_000);
    expect(s).toEqual([{ at: 13_000, finished: 15 }]);
    expect(windowRate(s)).toBeNull();
  });
});

describe("formatting", () => {
  it("formats durations and rates for people", () => {
    expect(formatDuration(4_400)).toBe("4s");
    expect(formatDuration(185_000)).toBe("3m 05s");
    expect(formatDuration(7_440_000)).toBe("2h 04m");
    expect(formatRate(null)).toBe("–");
    expect(formatRate(4.25)).toBe("4.3 rows/min");
    expect(formatRate(123.4)).toBe("123 rows/min");
  });
});

describe("cancelled batches", () => {
  it("keeps skipped rows out of Done (the bar still fills) and measures the rate over rows that ran", () => {
    const p = computeProgress(job({ status: "cancelled", completedRows: 10, skippedRows: 90, finishedAt: 60_000 }), 70_000);
    expect(p.finished).toBe(10);
    expect(p.fraction).toBe(1);
    expect(p.ratePerMin).toBeCloseTo(10);
  });
});

describe("withSeenResults", () => {
  it("counts at least the rows whose results are already on screen while the job runs", () => {
    // The roll-up saw one failed row; the table already holds one succeeded and one failed result.
    const seen = countSeen([{ status: "succeeded" }, { status: "failed" }]);
    const p = computeProgress(withSeenResults(job({ totalRows: 20, failedRows: 1 }), seen), 1_000);
    expect([p.succeeded, p.failed, p.finished]).toEqual([1, 1, 2]);
  });

  it("keeps the job's counters when they are ahead of the results loaded so far", () => {
    const running = job({ completedRows: 40, failedRows: 3 });
    expect(withSeenResults(running, { succeeded: 10, failed: 1 })).toBe(running);
  });

  it("uses a finished job's exact counters as they are", () => {
    const done = job({ status: "completed", completedRows: 19, failedRows: 1, totalRows: 20 });
    expect(withSeenResults(done, { succeeded: 20, failed: 1 })).toBe(done);
  });

  it("never counts more rows than the job has, skipped ones included", () => {
    const counted = withSeenResults(job({ totalRows: 5, skippedRows: 2 }), { succeeded: 2, failed: 4 });
    expect(counted.completedRows + counted.failedRows + (counted.skippedRows ?? 0)).toBe(5);
  });
});

describe("figures a user reported wrong", () => {
  it("times rate samples by the server's roll-up, so a stale snapshot followed by a fresh one gives the true rate", async () => {
    const { sampleOf } = await import("../src/lib/progress");
    // Opened 1.9 s after a roll-up (10 rows); the next roll-up (20 rows) lands 0.1 s later.
    const stale = { ...job({ completedRows: 10 }), updatedAt: 100_000 };
    const fresh = { ...job({ completedRows: 20 }), updatedAt: 102_000 };
    let s = addSample([], sampleOf(stale));
    s = addSample(s, sampleOf(stale)); // the same document again (get, then the live stream)
    s = addSample(s, sampleOf(fresh));
    expect(windowRate(s)).toBeCloseTo(300); // 10 rows in 2 s, not in 0.1 s
  });

  it("measures a retry pass from its own start: no idle gap in the rate or the elapsed time", () => {
    const retried = job({ status: "completed", completedRows: 100, startedAt: 0, finishedAt: 3_660_000, pass: 1, passStartedAt: 3_600_000, passRows: 10 });
    const p = computeProgress(retried, 9_999_999);
    expect(p.elapsedMs).toBe(60_000);
    expect(p.ratePerMin).toBeCloseTo(10);
    const running = job({ completedRows: 95, startedAt: 0, pass: 1, passStartedAt: 3_600_000, passRows: 10 });
    const r = computeProgress(running, 3_630_000);
    expect(r.elapsedMs).toBe(30_000);
    expect(r.ratePerMin).toBeCloseTo(10); // 5 of the pass's 10 rows in 30 s
    expect(r.etaMs).toBe(30_000);
  });

  it("counts only the rows that ran as done in a cancelled batch", () => {
    const p = computeProgress(job({ status: "cancelled", totalRows: 300, completedRows: 12, skippedRows: 288, finishedAt: 60_000 }), 99_999);
    expect(p.finished).toBe(12);
    expect(p.skipped).toBe(288);
    expect(p.remaining).toBe(0);
  });
});

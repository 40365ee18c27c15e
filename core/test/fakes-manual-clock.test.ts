import { ManualClock } from "../src/testing/manual-clock";

describe("ManualClock", () => {
  it("fires timers by time, then by insertion order, moving now() to each", async () => {
    const clock = new ManualClock(100);
    const fired: [string, number][] = [];
    clock.schedule(50, () => fired.push(["b", clock.now()]));
    clock.schedule(10, () => fired.push(["a", clock.now()]));
    clock.schedule(50, () => fired.push(["c", clock.now()]));
    clock.scheduleAt(0, () => fired.push(["past", clock.now()]));
    expect(clock.pendingTimers).toBe(4);
    expect(clock.nextTimerAt()).toBe(100);
    await clock.advance(40);
    expect(fired).toEqual([
      ["past", 100],
      ["a", 110],
    ]);
    expect(clock.now()).toBe(140);
    await clock.advanceTo(1_000);
    expect(fired.map((f) => f[0])).toEqual(["past", "a", "b", "c"]);
    expect(fired[2]![1]).toBe(150);
    expect(clock.now()).toBe(1_000);
    expect(clock.pendingTimers).toBe(0);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it("resolves sleeps only when time reaches them, and lets their continuations run", async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    void (async () => {
      await clock.sleep(100);
      log.push(`woke at ${clock.now()}`);
      await clock.sleep(50);
      log.push(`woke again at ${clock.now()}`);
    })();
    await clock.advance(99);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual(["woke at 100"]);
    await clock.runUntilIdle();
    expect(log).toEqual(["woke at 100", "woke again at 150"]);
  });

  it("rejects an aborted sleep and forgets its timer", async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const sleeping = clock.sleep(1_000, ac.signal);
    ac.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pendingTimers).toBe(0);
    const pre = new AbortController();
    pre.abort();
    await expect(clock.sleep(5, pre.signal)).rejects.toThrow();
  });

  it("cancel removes a timer; cancelling after it fired is harmless", async () => {
    const clock = new ManualClock();
    let fired = 0;
    const a = clock.schedule(10, () => fired++);
    const b = clock.schedule(20, () => fired++);
    a.cancel();
    await clock.runUntilIdle();
    b.cancel();
    expect(fired).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it("runUntilIdle follows chains of timers set by async work and stops at `until`", async () => {
    const clock = new ManualClock();
    let ticks = 0;
    const loop = async () => {
      while (ticks < 1_000) {
        await clock.sleep(10);
        ticks++;
      }
    };
    void loop();
    await clock.runUntilIdle({ until: 95 });
    expect(ticks).toBe(9);
    expect(clock.now()).toBe(95);
    await clock.runUntilIdle();
    expect(ticks).toBe(1_000);
    expect(clock.now()).toBe(10_000);
  });

  it("throws when timers never run out within maxSteps", async () => {
    const clock = new ManualClock();
    const rearm = (): void => void clock.schedule(1, rearm);
    rearm();
    await expect(clock.runUntilIdle({ maxSteps: 50 })).rejects.toThrow(/still busy/);
  });

  it("step fires exactly one timer", () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.schedule(5, () => fired.push(5));
    clock.schedule(7, () => fired.push(7));
    expect(clock.step()).toBe(true);
    expect(fired).toEqual([5]);
    expect(clock.now()).toBe(5);
    expect(clock.step()).toBe(true);
    expect(clock.step()).toBe(false);
  });
});

/**
 * The simulator's per-document contention: a document written at about one commit per second is
 * never contended; commits above that rate wait longer the further above it they are, contended
 * transactions abort and are re-run by the store (still committing once), plain writes only slow.
 */
import { ManualClock } from "../src/testing/manual-clock";
import { DocContention, FIRESTORE_CONTENTION } from "../src/sim/contention";
import { DEFAULT_LATENCY } from "../src/sim/faults";
import { Rng } from "../src/sim/random";
import { SimStore } from "../src/sim/sim-store";

describe("DocContention", () => {
  it("leaves a document written once a second alone", () => {
    const c = new DocContention(FIRESTORE_CONTENTION, new Rng(1));
    for (let t = 0; t < 20_000; t += 1000) expect(c.judge(["a/1"], t, true)).toEqual({ delayMs: 0, abort: false });
    expect(c.stats).toEqual({ contendedCommits: 0, aborts: 0, delayMs: 0 });
  });

  it("slows commits above the sustained rate more the hotter the document, and never aborts plain writes", () => {
    const c = new DocContention(FIRESTORE_CONTENTION, new Rng(2));
    const delays = Array.from({ length: 8 }, (_, i) => c.judge(["a/1", "b/other"], i * 100, false));
    expect(delays[0]?.delayMs).toBe(0);
    expect(delays.every((v) => !v.abort)).toBe(true);
    const d = delays.map((v) => v.delayMs);
    // Excess k waits k × 150 ms × [0.5, 1.5): the 8th commit in one second waits far longer than the 2nd.
    expect(d[7]).toBeGreaterThan(d[1] as number);
    expect(c.stats.contendedCommits).toBe(7);
    // A document the hot one shared commits with is as hot as it; a separate one is not.
    expect(c.judge(["c/cold"], 800, false).delayMs).toBe(0);
  });

  it("aborts contended transactions, more often the hotter the document", () => {
    const c = new DocContention(FIRESTORE_CONTENTION, new Rng(3));
    let aborts = 0;
    for (let i = 0; i < 200; i++) if (c.judge(["lane/L1"], i * 50, true).abort) aborts++;
    expect(aborts).toBeGreaterThan(0);
    expect(c.stats.aborts).toBe(aborts);
  });
});

describe("SimStore with contention", () => {
  it("re-runs a transaction that contention aborted and commits it once", async () => {
    const clock = new ManualClock();
    // Abort every contended attempt: the 2nd commit within a second always aborts at first.
    const model = { ...FIRESTORE_CONTENTION, abortPerExcess: 1, maxAbort: 1 };
    const store = new SimStore({ clock, rng: new Rng(4), latency: DEFAULT_LATENCY, onCreate: () => {}, contention: { model, rng: new Rng(5) } });
    let runs = 0;
    const bump = (): Promise<void> =>
      store.runTransaction(async (tx) => {
        runs++;
        const cur = await tx.get<{ n: number }>("c/doc");
        tx.set("c/doc", { n: (cur?.data.n ?? 0) + 1 });
      });
    const done = Promise.all([bump(), bump()]);
    await clock.runUntilIdle();
    await done;
    expect((await store.inner.get<{ n: number }>("c/doc"))?.data.n).toBe(2);
    expect(runs).toBeGreaterThan(2);
    expect(store.contention?.stats.aborts).toBeGreaterThan(0);
  });
});

import { describeStoreConformance } from "../src/testing/conformance/store-conformance";
import { MemoryStore, type CommittedWrite } from "../src/testing/memory-store";
import { ManualClock } from "../src/testing/manual-clock";
import { InvalidDataError } from "../src/store-kit/doc-data";
import { InvalidPathError } from "../src/store-kit/doc-path";
import { increment, type Doc } from "../src/ports/store";

describeStoreConformance("memory", () => ({ store: new MemoryStore() }));

describe("MemoryStore observers and simulation hooks", () => {
  it("calls onCreate once per created doc, after the commit is visible", async () => {
    const seen: string[] = [];
    const store: MemoryStore = new MemoryStore({
      onCreate: (doc) => {
        seen.push(doc.path);
        // The created doc is readable from inside the callback.
        void store.get(doc.path).then((d) => expect(d?.data).toEqual(doc.data));
      },
    });
    await store.create("jobs/j1/results/r1", { ok: true });
    await store.update("jobs/j1/results/r1", { ok: false });
    await store.set("jobs/j1/results/r1", { ok: 1 });
    await store.delete("jobs/j1/results/r1");
    await store.set("jobs/j1/results/r1", { again: true });
    const b = store.batch();
    b.create("jobs/j1/results/tmp", { x: 1 });
    b.delete("jobs/j1/results/tmp");
    await b.commit();
    expect(seen).toEqual(["jobs/j1/results/r1", "jobs/j1/results/r1"]);
  });

  it("hands onCreate a copy the callback cannot use to change the store", async () => {
    const store = new MemoryStore({ onCreate: (doc: Doc) => void (doc.data.hacked = true) });
    await store.create("jobs/j1", { a: 1 });
    expect((await store.get("jobs/j1"))?.data).toEqual({ a: 1 });
  });

  it("stamps commits with the injected clock, counts writes per doc and keeps a write log", async () => {
    const clock = new ManualClock(1_000);
    const commits: CommittedWrite[][] = [];
    const store = new MemoryStore({ clock, recordWrites: true, onCommit: (w) => commits.push(w) });
    await store.create("jobs/j1", { n: 0 });
    await clock.advance(250);
    await store.update("jobs/j1", { n: increment(1) });
    const b = store.batch();
    b.update("jobs/j1", { n: increment(1) });
    b.update("jobs/j1", { n: increment(1) });
    b.delete("jobs/gone");
    await b.commit();
    expect(store.writeCount("jobs/j1")).toBe(3);
    expect(store.writeLog.map((r) => [r.path, r.op, r.time, r.via])).toEqual([
      ["jobs/j1", "create", 1_000, "write"],
      ["jobs/j1", "update", 1_250, "write"],
      ["jobs/j1", "update", 1_250, "batch"],
      ["jobs/gone", "delete", 1_250, "batch"],
    ]);
    expect(commits[2]!.map((w) => w.data)).toEqual([{ n: 3 }, null]);
    expect(store.stats).toMatchObject({ commits: 3, writes: 4 });
  });

  it("beforeCommit can hold transactions between their reads and commit so they really conflict", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    const store = new MemoryStore({
      hooks: {
        beforeCommit: async (info) => {
          if (info.kind === "transaction" && info.attempt === 1 && ++held <= 2) await gate;
        },
      },
    });
    await store.create("counters/c", { n: 0 });
    const bump = () =>
      store.runTransaction(async (tx) => {
        const d = await tx.get<{ n: number }>("counters/c");
        tx.update("counters/c", { n: d!.data.n + 1 });
      });
    const both = Promise.all([bump(), bump()]);
    await new Promise((r) => setImmediate(r));
    expect(held).toBe(2);
    release();
    await both;
    expect((await store.get("counters/c"))?.data).toEqual({ n: 2 });
    expect(store.stats.transactionConflicts).toBe(1);
    expect(store.stats.transactionAttempts).toBe(3);
  });

  it("detects conflicts between concurrent transactions without any hook", async () => {
    const store = new MemoryStore();
    const bump = () =>
      store.runTransaction(
        async (tx) => {
          const d = await tx.get<{ n: number }>("counters/c");
          tx.set("counters/c", { n: (d?.data.n ?? 0) + 1 });
        },
        { maxAttempts: 100 },
      );
    await Promise.all(Array.from({ length: 10 }, bump));
    expect((await store.get("counters/c"))?.data).toEqual({ n: 10 });
    expect(store.stats.transactionConflicts).toBeGreaterThan(0);
  });
});

describe("MemoryStore validation", () => {
  const store = new MemoryStore({ maxDocumentBytes: 2_000 });

  it.each<[string, Record<string, unknown>, string]>([
    ["NaN", { a: { b: NaN } }, "a.b"],
    ["Infinity", { list: [1, Infinity] }, "list[1]"],
    ["Date", { when: new Date(0) }, "when"],
    ["class instance", { m: new Map() }, "m"],
    ["nested array", { grid: [1, [2]] }, "grid[1]"],
    ["undefined in array", { list: [undefined] }, "list[0]"],
  ])("rejects %s with an InvalidDataError naming the field", async (_label, data, field) => {
    const err = await store.create("v/x", data).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidDataError);
    expect((err as InvalidDataError).field).toBe(field);
    expect(await store.get("v/x")).toBeNull();
  });

  it("rejects reserved field names such as __proto__ anywhere in the data", async () => {
    const sneaky = JSON.parse('{"a":{"__proto__":{"polluted":true}}}') as Record<string, unknown>;
    await expect(store.create("v/proto", sneaky)).rejects.toThrow(/a\.__proto__/);
    await expect(store.set("v/proto", { __name__: 1 })).rejects.toBeInstanceOf(InvalidDataError);
    await store.set("v/proto", { a: 1 });
    await expect(store.update("v/proto", { "a.__proto__.x": 1 })).rejects.toBeInstanceOf(InvalidDataError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await store.get("v/proto"))?.data).toEqual({ a: 1 });
  });

  it("rejects documents over the size limit", async () => {
    await expect(store.set("v/big", { s: "x".repeat(3_000) })).rejects.toThrow(/larger than 2000 bytes/);
    await store.set("v/small", { s: "x".repeat(100) });
    await expect(store.update("v/small", { s: "x".repeat(3_000) })).rejects.toBeInstanceOf(InvalidDataError);
  });

  it.each(["jobs", "jobs//x", "jobs/j1/results", "", "jobs/.."])("rejects the doc path %j", async (path) => {
    await expect(store.get(path)).rejects.toBeInstanceOf(InvalidPathError);
  });

  it("rejects a collection path given to query", async () => {
    await expect(store.query("jobs/j1")).rejects.toBeInstanceOf(InvalidPathError);
  });

  it("rejects conflicting and empty patches", async () => {
    await store.set("v/p", { a: { b: 1 } });
    await expect(store.update("v/p", { a: 1, "a.b": 2 })).rejects.toThrow(/conflicts/);
    await expect(store.update("v/p", {})).rejects.toThrow(/at least one field/);
    expect((await store.get("v/p"))?.data).toEqual({ a: { b: 1 } });
  });
});

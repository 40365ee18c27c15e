/**
 * Conformance suite every DocumentStore adapter runs (memory, SQLite, Firestore emulator):
 *   describeStoreConformance("sqlite", async () => ({ store, cleanup }));
 * Uses jest globals, so it is imported by path from tests, never from the package index.
 * Adapters lacking a capability pass `skip: { transactions: "why" }`; the reason shows up as a
 * skipped test's name.
 */
import { AlreadyExistsError, deleteField, increment, NotFoundError, type DocumentStore } from "../../ports/store";
import { conformanceCase, withSkippedCases } from "./conformance-case";
import { describeStoreQueries } from "./store-query-conformance";
import { describeStoreTransactions } from "./store-transaction-conformance";

export interface StoreFixture {
  store: DocumentStore;
  cleanup?: () => Promise<void> | void;
}
export type StoreFactory = () => Promise<StoreFixture> | StoreFixture;

export interface StoreConformanceOptions {
  /** Capability → reason it is skipped for this adapter. */
  skip?: { transactions?: string; batch?: string };
  /** Single cases to skip: exact test title → reason (shown in the skipped test's name). */
  skipCases?: Record<string, string>;
}

/** Gives each test a fresh store from the factory and cleans it up afterwards. */
export function useStore(makeStore: StoreFactory): () => DocumentStore {
  let fixture: StoreFixture | undefined;
  beforeEach(async () => {
    fixture = await makeStore();
  });
  afterEach(async () => {
    await fixture?.cleanup?.();
    fixture = undefined;
  });
  return () => {
    if (!fixture) throw new Error("store fixture not ready");
    return fixture.store;
  };
}

export function describeStoreConformance(name: string, makeStore: StoreFactory, opts: StoreConformanceOptions = {}): void {
  describe(`DocumentStore conformance: ${name}`, () => {
    withSkippedCases(opts.skipCases, () => {
      describeStoreBasics(makeStore);
      describeStoreQueries(makeStore);
      if (opts.skip?.batch) it.skip(`batch writes (skipped: ${opts.skip.batch})`, () => {});
      else describeStoreBatch(makeStore);
      if (opts.skip?.transactions) it.skip(`transactions (skipped: ${opts.skip.transactions})`, () => {});
      else describeStoreTransactions(makeStore);
    });
  });
}

function describeStoreBasics(makeStore: StoreFactory): void {
  describe("documents", () => {
    const store = useStore(makeStore);

    conformanceCase("returns null for a missing doc and the doc with id and path after create", async () => {
      expect(await store().get("jobs/j1")).toBeNull();
      await store().create("jobs/j1", { name: "a", n: 1, tags: ["x", "y"], nested: { ok: true, none: null } });
      expect(await store().get("jobs/j1")).toEqual({
        id: "j1",
        path: "jobs/j1",
        data: { name: "a", n: 1, tags: ["x", "y"], nested: { ok: true, none: null } },
      });
    });

    conformanceCase("create fails with AlreadyExistsError and keeps the first data", async () => {
      await store().create("jobs/j1", { v: 1 });
      await expect(store().create("jobs/j1", { v: 2 })).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await store().get("jobs/j1"))?.data).toEqual({ v: 1 });
    });

    conformanceCase("update fails with NotFoundError on a missing doc and creates nothing", async () => {
      await expect(store().update("jobs/nope", { v: 1 })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().get("jobs/nope")).toBeNull();
    });

    conformanceCase("set replaces the whole doc; set with merge deep-merges maps", async () => {
      await store().set("jobs/j1", { a: 1, m: { x: 1, y: 1 } });
      await store().set("jobs/j1", { b: 2 });
      expect((await store().get("jobs/j1"))?.data).toEqual({ b: 2 });
      await store().set("jobs/j1", { c: 3, m: { x: 9 } }, { merge: true });
      await store().set("jobs/j1", { m: { y: 5 } }, { merge: true });
      expect((await store().get("jobs/j1"))?.data).toEqual({ b: 2, c: 3, m: { x: 9, y: 5 } });
    });

    conformanceCase("set with merge creates a missing doc", async () => {
      await store().set("jobs/new", { a: { b: 1 } }, { merge: true });
      expect((await store().get("jobs/new"))?.data).toEqual({ a: { b: 1 } });
    });

    conformanceCase("update treats dotted keys as nested paths and replaces map values wholesale", async () => {
      await store().create("jobs/j1", { usage: { input: 1, output: 2 }, meta: { a: 1, b: 2 }, keep: true });
      await store().update("jobs/j1", { "usage.input": 10, meta: { c: 3 }, "deep.new.field": "x" });
      expect((await store().get("jobs/j1"))?.data).toEqual({
        usage: { input: 10, output: 2 },
        meta: { c: 3 },
        deep: { new: { field: "x" } },
        keep: true,
      });
    });

    conformanceCase("keeps dots in create/set keys as literal field names", async () => {
      await store().create("rows/r1", { cells: { "e.g.": "v" } });
      expect((await store().get("rows/r1"))?.data).toEqual({ cells: { "e.g.": "v" } });
    });

    conformanceCase("increment adds to numbers and starts missing or non-numeric fields at the amount", async () => {
      await store().create("jobs/j1", { done: 2, label: "x", usage: { tokens: 5 } });
      await store().update("jobs/j1", {
        done: increment(3),
        fresh: increment(4),
        label: increment(1),
        "usage.tokens": increment(-2),
      });
      expect((await store().get("jobs/j1"))?.data).toEqual({ done: 5, fresh: 4, label: 1, usage: { tokens: 3 } });
      await store().set("jobs/j1", { done: increment(1), usage: { tokens: increment(10) } }, { merge: true });
      expect((await store().get("jobs/j1"))?.data).toMatchObject({ done: 6, usage: { tokens: 13 } });
    });

    conformanceCase("deleteField removes top-level and dotted fields in update, and fields in a merge", async () => {
      await store().create("jobs/j1", { a: 1, b: 2, m: { x: 1, y: 2 }, n: { z: 1 } });
      await store().update("jobs/j1", { a: deleteField(), "m.x": deleteField(), missing: deleteField() });
      expect((await store().get("jobs/j1"))?.data).toEqual({ b: 2, m: { y: 2 }, n: { z: 1 } });
      await store().set("jobs/j1", { n: { z: deleteField() }, b: deleteField() }, { merge: true });
      expect((await store().get("jobs/j1"))?.data).toEqual({ m: { y: 2 }, n: {} });
    });

    conformanceCase("delete removes a doc and is a no-op on a missing doc", async () => {
      await store().create("jobs/j1", { a: 1 });
      await store().delete("jobs/j1");
      await store().delete("jobs/j1");
      expect(await store().get("jobs/j1")).toBeNull();
      await store().create("jobs/j1", { a: 2 });
      expect((await store().get("jobs/j1"))?.data).toEqual({ a: 2 });
    });

    conformanceCase("deleteTree removes a doc and everything below it, at any depth, and spares its neighbours", async () => {
      await store().create("jobs/j1", { a: 1 });
      await store().create("jobs/j1/rows/0", { r: 0 });
      await store().create("jobs/j1/results/r1/trace/t1", { t: 1 });
      await store().create("jobs/j1x/rows/0", { r: 1 }); // same prefix, another doc
      await store().create("jobs/j2", { a: 2 });
      await store().create("jobs/j2/rows/0", { r: 2 });
      await store().create("other/j1", { keep: true });
      // Children of a parent document that does not exist are found too.
      await store().create("jobs/gone/results/r1", { orphan: true });
      await store().deleteTree("jobs/j1");
      await store().deleteTree("jobs/gone");
      await store().deleteTree("jobs/j1"); // idempotent
      expect(await store().get("jobs/j1")).toBeNull();
      expect(await store().query("jobs/j1/rows")).toEqual([]);
      expect(await store().query("jobs/j1/results/r1/trace")).toEqual([]);
      expect(await store().query("jobs/gone/results")).toEqual([]);
      expect((await store().query("jobs")).map((d) => d.id)).toEqual(["j2"]);
      expect((await store().query("jobs/j1x/rows")).map((d) => d.data)).toEqual([{ r: 1 }]);
      expect((await store().query("jobs/j2/rows")).map((d) => d.data)).toEqual([{ r: 2 }]);
      expect((await store().get("other/j1"))?.data).toEqual({ keep: true });
    });

    conformanceCase("deleteTree deletes more documents than one commit holds", async () => {
      const limit = store().commitLimits?.maxWrites ?? 500;
      for (let start = 0; start < limit + 20; start += 250) {
        const batch = store().batch();
        for (let i = start; i < Math.min(start + 250, limit + 20); i++) batch.set(`jobs/big/rows/${String(i).padStart(5, "0")}`, { i });
        await batch.commit();
      }
      await store().deleteTree("jobs/big");
      expect(await store().count("jobs/big/rows")).toBe(0);
    });

    conformanceCase("does not alias caller objects on write or read", async () => {
      const data = { list: [{ a: 1 }], m: { x: 1 } };
      await store().create("jobs/j1", data);
      data.list[0]!.a = 99;
      data.m.x = 99;
      const read = await store().get<{ list: { a: number }[]; m: { x: number } }>("jobs/j1");
      read!.data.list[0]!.a = 42;
      read!.data.m.x = 42;
      expect((await store().get("jobs/j1"))?.data).toEqual({ list: [{ a: 1 }], m: { x: 1 } });
    });

    conformanceCase("rejects undefined values naming the field, and writes nothing", async () => {
      await expect(store().create("jobs/j1", { nested: { bad: undefined } })).rejects.toThrow(/nested\.bad/);
      await expect(store().set("jobs/j2", { top: undefined })).rejects.toThrow(/top/);
      await store().create("jobs/j3", { a: 1 });
      await expect(store().update("jobs/j3", { "m.k": undefined })).rejects.toThrow(/m\.k/);
      expect(await store().get("jobs/j1")).toBeNull();
      expect(await store().get("jobs/j2")).toBeNull();
      expect((await store().get("jobs/j3"))?.data).toEqual({ a: 1 });
    });

    conformanceCase("rejects arrays of arrays", async () => {
      await expect(store().create("jobs/j1", { grid: [[1, 2]] })).rejects.toThrow();
      expect(await store().get("jobs/j1")).toBeNull();
    });

    conformanceCase("refuses documents nested deeper than 20 levels, so the collection stays queryable", async () => {
      // 1,001 levels: SQLite's JSON functions fail past 1,000, Firestore past 20.
      let deep: unknown = "leaf";
      for (let i = 0; i < 1001; i++) deep = { a: deep };
      await expect(store().create("jobs/j1", { deep })).rejects.toThrow(/deep\.a\.a/);
      await expect(store().set("jobs/j2", { ok: 1, deep }, { merge: true })).rejects.toThrow(/levels deep|deeper/);
      await store().create("jobs/j3", { ok: 1 });
      await expect(store().update("jobs/j3", { "m.n": deep })).rejects.toThrow(/levels deep|deeper/);
      // 20 levels (a key path of 20 steps) is fine on every store.
      let twenty: unknown = "leaf";
      for (let i = 0; i < 19; i++) twenty = { a: twenty };
      await store().create("jobs/j4", { twenty });
      expect(await store().get("jobs/j1")).toBeNull();
      expect(await store().get("jobs/j2")).toBeNull();
      expect((await store().get("jobs/j3"))?.data).toEqual({ ok: 1 });
      expect((await store().query("jobs", { where: [{ field: "ok", op: "==", value: 1 }] })).map((d) => d.id)).toEqual(["j3"]);
      expect((await store().get("jobs/j4"))?.data).toEqual({ twenty });
    });

    conformanceCase("keeps subcollections apart from their parent collection", async () => {
      await store().create("jobs/j1", { a: 1 });
      await store().create("jobs/j1/results/r1", { row: 1 });
      await store().create("jobs/j2/results/r1", { row: 2 });
      expect((await store().query("jobs")).map((d) => d.path)).toEqual(["jobs/j1"]);
      const results = await store().query("jobs/j1/results");
      expect(results).toEqual([{ id: "r1", path: "jobs/j1/results/r1", data: { row: 1 } }]);
      expect(await store().count("jobs/j2/results")).toBe(1);
    });

    conformanceCase("getAll returns docs in the order asked, null for missing ones", async () => {
      await store().create("jobs/a", { v: "a" });
      await store().create("jobs/c", { v: "c" });
      const docs = await store().getAll(["jobs/c", "jobs/b", "jobs/a"]);
      expect(docs.map((d) => d?.data.v ?? null)).toEqual(["c", null, "a"]);
    });
  });
}

function describeStoreBatch(makeStore: StoreFactory): void {
  describe("batch", () => {
    const store = useStore(makeStore);

    conformanceCase("commits every write together", async () => {
      await store().create("jobs/j1", { n: 1 });
      const b = store().batch();
      b.create("jobs/j2", { n: 2 });
      b.set("jobs/j3", { n: 3 });
      b.update("jobs/j1", { n: increment(10) });
      b.delete("jobs/j0");
      await b.commit();
      const docs = await store().getAll(["jobs/j1", "jobs/j2", "jobs/j3"]);
      expect(docs.map((d) => d?.data.n)).toEqual([11, 2, 3]);
    });

    conformanceCase("applies nothing when one write fails its precondition", async () => {
      await store().create("jobs/exists", { n: 1 });
      const b = store().batch();
      b.set("jobs/a", { n: 1 });
      b.update("jobs/exists", { n: 2 });
      b.create("jobs/exists", { n: 3 });
      await expect(b.commit()).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store().get("jobs/a")).toBeNull();
      expect((await store().get("jobs/exists"))?.data).toEqual({ n: 1 });

      const b2 = store().batch();
      b2.set("jobs/b", { n: 1 });
      b2.update("jobs/missing", { n: 1 });
      await expect(b2.commit()).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().get("jobs/b")).toBeNull();
    });

    conformanceCase("rejects more than 500 writes and applies none", async () => {
      const attempt = async () => {
        const b = store().batch();
        for (let i = 0; i < 501; i++) b.set(`rows/r${i}`, { i });
        await b.commit();
      };
      await expect(attempt()).rejects.toThrow();
      expect(await store().count("rows")).toBe(0);
    });

    conformanceCase("accepts exactly 500 writes", async () => {
      const b = store().batch();
      for (let i = 0; i < 500; i++) b.set(`rows/r${i}`, { i });
      await b.commit();
      expect(await store().count("rows")).toBe(500);
    });
  });
}

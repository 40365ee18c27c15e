/** Transaction cases of the DocumentStore conformance suite (see store-conformance.ts). */
import { AlreadyExistsError, increment, TransactionConflictError, type DocumentStore } from "../../ports/store";
import { conformanceCase } from "./conformance-case";
import { useStore, type StoreFactory } from "./store-conformance";

async function incrementInTx(store: DocumentStore, path: string, maxAttempts = 50): Promise<number> {
  return store.runTransaction(
    async (tx) => {
      const doc = await tx.get<{ n: number }>(path);
      const next = (doc?.data.n ?? 0) + 1;
      tx.set(path, { n: next });
      return next;
    },
    { maxAttempts },
  );
}

export function describeStoreTransactions(makeStore: StoreFactory): void {
  describe("transactions", () => {
    const store = useStore(makeStore);

    conformanceCase("reads then writes atomically and returns the function's value", async () => {
      await store().create("jobs/j1", { n: 1, status: "pending" });
      const result = await store().runTransaction(async (tx) => {
        const [job, missing] = await tx.getAll<{ n: number }>(["jobs/j1", "jobs/none"]);
        tx.update("jobs/j1", { n: job!.data.n + 1, status: "processing" });
        tx.create("jobs/j1/lanes/l0", { next: 0 });
        return { seen: job!.data.n, missing };
      });
      expect(result).toEqual({ seen: 1, missing: null });
      expect((await store().get("jobs/j1"))?.data).toEqual({ n: 2, status: "processing" });
      expect((await store().get("jobs/j1/lanes/l0"))?.data).toEqual({ next: 0 });
    });

    conformanceCase("serializes concurrent read-modify-write transactions: no lost increments", async () => {
      const perWorker = 15;
      const worker = async () => {
        for (let i = 0; i < perWorker; i++) await incrementInTx(store(), "counters/c");
      };
      await Promise.all([worker(), worker(), worker()]);
      expect((await store().get("counters/c"))?.data).toEqual({ n: 3 * perWorker });
    });

    conformanceCase("re-runs the function when a doc it read changed before commit", async () => {
      await store().create("counters/c", { n: 0 });
      let runs = 0;
      await store().runTransaction(async (tx) => {
        runs++;
        const doc = await tx.get<{ n: number }>("counters/c");
        if (runs === 1) await store().update("counters/c", { n: increment(10) });
        tx.update("counters/c", { n: doc!.data.n + 1 });
      });
      expect(runs).toBe(2);
      expect((await store().get("counters/c"))?.data).toEqual({ n: 11 });
    });

    conformanceCase("re-runs the function when a doc matching a query it ran appears before commit", async () => {
      await store().create("jobs/j1/results/r1", { status: "failed" });
      let runs = 0;
      await store().runTransaction(async (tx) => {
        runs++;
        const failed = await tx.query("jobs/j1/results", { where: [{ field: "status", op: "==", value: "failed" }] });
        if (runs === 1) await store().create("jobs/j1/results/r2", { status: "failed" });
        tx.set("jobs/j1", { failedRows: failed.length });
      });
      expect(runs).toBe(2);
      expect((await store().get("jobs/j1"))?.data).toEqual({ failedRows: 2 });
    });

    conformanceCase("re-runs the function when a doc it saw missing is created before commit", async () => {
      let runs = 0;
      const created = await store().runTransaction(async (tx) => {
        runs++;
        const existing = await tx.get("locks/l1");
        if (runs === 1) await store().create("locks/l1", { owner: "other" });
        if (existing) return false;
        tx.create("locks/l1", { owner: "me" });
        return true;
      });
      expect(runs).toBe(2);
      expect(created).toBe(false);
      expect((await store().get("locks/l1"))?.data).toEqual({ owner: "other" });
    });

    conformanceCase("gives up with TransactionConflictError after maxAttempts, leaving its writes unapplied", async () => {
      await store().create("counters/c", { n: 0 });
      let runs = 0;
      const attempt = store().runTransaction(
        async (tx) => {
          runs++;
          await tx.get("counters/c");
          await store().update("counters/c", { n: increment(1) });
          tx.set("counters/c", { n: -1 });
        },
        { maxAttempts: 3 },
      );
      await expect(attempt).rejects.toBeInstanceOf(TransactionConflictError);
      expect(runs).toBe(3);
      expect((await store().get("counters/c"))?.data).toEqual({ n: 3 });
    });

    conformanceCase("rejects a read after a write in the same transaction", async () => {
      await store().create("jobs/j1", { n: 1 });
      const attempt = store().runTransaction(async (tx) => {
        tx.update("jobs/j1", { n: 2 });
        await tx.get("jobs/j1");
      });
      await expect(attempt).rejects.toThrow(/reads.*before.*writes/i);
      expect((await store().get("jobs/j1"))?.data).toEqual({ n: 1 });
    });

    conformanceCase("propagates the function's own error without retrying or writing", async () => {
      let runs = 0;
      const attempt = store().runTransaction(async (tx) => {
        runs++;
        await tx.get("jobs/j1");
        tx.set("jobs/j1", { n: 1 });
        throw new Error("boom");
      });
      await expect(attempt).rejects.toThrow("boom");
      expect(runs).toBe(1);
      expect(await store().get("jobs/j1")).toBeNull();
    });

    conformanceCase("fails on a create of an existing doc and applies none of its writes", async () => {
      await store().create("jobs/j1", { n: 1 });
      const attempt = store().runTransaction(async (tx) => {
        tx.set("jobs/other", { n: 1 });
        tx.create("jobs/j1", { n: 2 });
      });
      await expect(attempt).rejects.toBeInstanceOf(AlreadyExistsError);
      expect(await store().get("jobs/other")).toBeNull();
      expect((await store().get("jobs/j1"))?.data).toEqual({ n: 1 });
    });
  });
}

/**
 * The SQLite task queue passes the shared TaskQueue conformance suite, and its durability holds:
 * a task that was running when its process died is delivered again by the next owner of the
 * database, with its attempt counted; a finished task is not.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeTaskQueueConformance, waitFor, type QueueFactoryOptions } from "@flowcraft/core/testing";
import { openDb } from "../src/sqlite/open-db";
import { SqliteTaskQueue } from "../src/sqlite/sqlite-task-queue";
import type { TaskContext } from "@flowcraft/core";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "fc-queue-"));
}

describeTaskQueueConformance("sqlite", <P>({ handler, retry, limits }: QueueFactoryOptions<P>) => {
  const dir = tempDir();
  const db = openDb(dir);
  const queue = new SqliteTaskQueue<P>({ db, retry, limits });
  queue.start(handler);
  return {
    queue,
    cleanup: async () => {
      await queue.stop(1_000);
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("SqliteTaskQueue durability", () => {
  const retry = { maxAttempts: 3, minBackoffMs: 5, maxBackoffMs: 20, maxDoublings: 2 };
  const limits = { maxConcurrentDispatches: 10, maxDispatchesPerSecond: 1_000 };

  it("delivers a task again after the process running it went away, and not a finished one", async () => {
    const dir = tempDir();
    // First owner: "done" finishes, "stuck" never returns (the process is about to die).
    const db1 = openDb(dir);
    const q1 = new SqliteTaskQueue<{ n: number }>({ db: db1, retry, limits });
    const first: string[] = [];
    q1.start(async (_p, ctx) => {
      first.push(ctx.taskId);
      if (ctx.taskId === "stuck") await new Promise(() => {});
    });
    await q1.enqueue({ id: "done", payload: { n: 1 } });
    await q1.enqueue({ id: "stuck", payload: { n: 2 } });
    await waitFor(() => first.length === 2 && q1.stats().running === 1, "both dispatched, one finished");
    await q1.stop(10); // the stuck handler is abandoned, as in a crash
    db1.close();

    const db2 = openDb(dir);
    const q2 = new SqliteTaskQueue<{ n: number }>({ db: db2, retry, limits });
    const second: [string, TaskContext][] = [];
    q2.start(async (_p, ctx) => void second.push([ctx.taskId, ctx]));
    await waitFor(() => second.length === 1, "the redelivery");
    await q2.enqueue({ id: "marker", payload: { n: 0 } });
    await waitFor(() => second.length === 2, "a later task");
    expect(second.map(([id]) => id)).toEqual(["stuck", "marker"]);
    expect(second[0]![1].retryCount).toBe(1);
    expect(await q2.enqueue({ id: "done", payload: { n: 1 } })).toBe("exists");
    await q2.stop();
    db2.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("delivers a task whose lease expired again while its first run still hangs", async () => {
    const dir = tempDir();
    const db = openDb(dir);
    const q = new SqliteTaskQueue<{ n: number }>({ db, retry, limits, leaseMs: 50 });
    const seen: number[] = [];
    q.start(async (_p, ctx) => {
      seen.push(ctx.retryCount);
      if (ctx.retryCount === 0) await new Promise(() => {});
    });
    await q.enqueue({ id: "slow", payload: { n: 1 } });
    await waitFor(() => seen.length === 2, "the second delivery");
    expect(seen).toEqual([0, 1]);
    await q.stop(10);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a finished task's id within the dedup window and takes it again after", async () => {
    const dir = tempDir();
    const db = openDb(dir);
    let now = 1_000_000;
    const clock = { now: () => now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const q = new SqliteTaskQueue<{ n: number }>({ db, retry, limits, clock, dedupWindowMs: 1_000 });
    const seen: [number, number][] = [];
    q.start(async (p, ctx) => void seen.push([p.n, ctx.retryCount]));
    expect(await q.enqueue({ id: "once", payload: { n: 1 } })).toBe("enqueued");
    await waitFor(() => q.stats().done === 1, "the first run recorded");
    now += 999;
    expect(await q.enqueue({ id: "once", payload: { n: 2 } })).toBe("exists");
    now += 2;
    expect(await q.enqueue({ id: "once", payload: { n: 3 } })).toBe("enqueued");
    await waitFor(() => seen.length === 2, "the second run");
    expect(seen).toEqual([
      [1, 0],
      [3, 0],
    ]);
    await q.stop(10);
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

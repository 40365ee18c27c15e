/**
 * The local queue has no fixed dispatch cap by default (a batch's lanes and the AI governor bound
 * the work), and `--queue-concurrency` /
 * `--queue-rate` set the limits when wanted.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor } from "@flowcraft/core/testing";
import { parseArgs, UsageError } from "../src/cli/args";
import { QUEUE_LIMIT_OPTIONS, parseQueueLimits } from "../src/cli/limit-flags";
import { GroupCommit } from "../src/sqlite/group-commit";
import { openDb } from "../src/sqlite/open-db";
import { SqliteStore } from "../src/sqlite/sqlite-store";
import { DEFAULT_QUEUE_LIMITS, SqliteTaskQueue } from "../src/sqlite/sqlite-task-queue";

describe("local queue limits", () => {
  it("runs more tasks at once than any former fixed cap when no limit is given", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-qlimits-"));
    const db = openDb(dir);
    const queue = new SqliteTaskQueue<{ n: number }>({ db });
    let running = 0;
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    queue.start(async () => {
      running++;
      await gate;
    });
    try {
      for (let n = 0; n < 300; n++) await queue.enqueue({ id: `t${n}`, payload: { n } });
      await waitFor(() => running === 300, "all 300 tasks running at once");
      expect(queue.stats().running).toBe(300);
    } finally {
      release();
      await queue.stop(1_000);
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("still holds a concurrency cap that was set", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-qlimits-"));
    const db = openDb(dir);
    const queue = new SqliteTaskQueue<{ n: number }>({ db, limits: { ...DEFAULT_QUEUE_LIMITS, maxConcurrentDispatches: 3 } });
    let running = 0;
    let peak = 0;
    let done = 0;
    queue.start(async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      done++;
    });
    try {
      for (let n = 0; n < 20; n++) await queue.enqueue({ id: `t${n}`, payload: { n } });
      await waitFor(() => done === 20, "every task done");
      expect(peak).toBe(3);
    } finally {
      await queue.stop(1_000);
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses --queue-concurrency and --queue-rate, leaving an unset one off", () => {
    const parse = (argv: string[]) => parseQueueLimits(parseArgs(argv, QUEUE_LIMIT_OPTIONS).options);
    expect(parse([])).toBeUndefined();
    expect(parse(["--queue-concurrency", "64"])).toEqual({ maxConcurrentDispatches: 64, maxDispatchesPerSecond: Infinity });
    expect(parse(["--queue-rate=500", "--queue-concurrency", "8"])).toEqual({ maxConcurrentDispatches: 8, maxDispatchesPerSecond: 500 });
    expect(() => parse(["--queue-rate", "0"])).toThrow(UsageError);
    expect(() => parse(["--queue-concurrency", "fast"])).toThrow(/--queue-concurrency must be a whole number/);
  });
});

describe("group commit window", () => {
  it("commits the writes of several turns together when a window is set, one commit per turn without", async () => {
    const commitsFor = async (windowMs: number): Promise<number> => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-gc-"));
      const db = openDb(dir);
      let commits = 0;
      const group = new GroupCommit(
        db,
        (err) => {
          throw err;
        },
        () => commits++,
        windowMs,
      );
      const store = new SqliteStore(db, { beforeWrite: () => group.begin() });
      for (let i = 0; i < 3; i++) {
        await store.create(`jobs/j${i}`, { i });
        await new Promise((resolve) => setImmediate(resolve)); // the turn ends
      }
      await waitFor(() => !db.inTransaction, "the last commit");
      expect((await store.get("jobs/j2"))?.data).toEqual({ i: 2 });
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
      return commits;
    };
    expect(await commitsFor(0)).toBe(3);
    expect(await commitsFor(1_000)).toBe(1);
  });
});

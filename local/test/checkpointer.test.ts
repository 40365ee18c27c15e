/**
 * WAL checkpoints run in a worker thread (the database file fills while the main connection keeps
 * auto-checkpoints off), and a WAL that grows past its limit is truncated by the main connection;
 * no data is lost on the way.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor } from "@flowcraft/core/testing";
import { Checkpointer } from "../src/sqlite/checkpointer";
import { GroupCommit } from "../src/sqlite/group-commit";
import { openDb } from "../src/sqlite/open-db";
import { SqliteStore } from "../src/sqlite/sqlite-store";

it("backfills the database file from a worker and keeps the WAL bounded", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-ckpt-"));
  const db = openDb(dir);
  const checkpointer = new Checkpointer(db, { intervalMs: 20, maxWalBytes: 256 * 1024 });
  const group = new GroupCommit(
    db,
    (err) => {
      throw err;
    },
    () => checkpointer.afterCommit(),
  );
  const store = new SqliteStore(db, { beforeWrite: () => group.begin() });
  const file = path.join(dir, "flowcraft.db");
  const emptySize = fs.statSync(file).size;
  const payload = "x".repeat(2_000);
  const walSizes: number[] = [];
  for (let i = 0; i < 1_500; i++) {
    await store.set(`docs/d${i % 300}`, { i, payload });
    group.flush();
    walSizes.push(fs.statSync(`${file}-wal`).size);
  }
  // Without auto-checkpoints the WAL file never shrinks by itself: a smaller size means the
  // main connection truncated it after it passed 256 KB.
  const shrank = walSizes.filter((size, i) => i > 0 && size < (walSizes[i - 1] as number)).length;
  expect(shrank).toBeGreaterThan(0);
  await waitFor(() => fs.statSync(file).size > emptySize, "the worker to backfill the database file");
  await checkpointer.stop();
  db.close();

  const reopened = new SqliteStore(openDb(dir));
  expect((await reopened.get<{ i: number }>("docs/d299"))?.data.i).toBe(1_499);
  expect(await reopened.count("docs")).toBe(300);
  reopened.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

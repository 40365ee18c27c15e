/**
 * The SQLite document store passes the shared DocumentStore conformance suite (on a file in a temp
 * data dir, as the host uses it), and records an outbox row for created trigger docs only.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeStoreConformance } from "@flowcraft/core/testing";
import { GroupCommit } from "../src/sqlite/group-commit";
import { openDb } from "../src/sqlite/open-db";
import { SqliteStore } from "../src/sqlite/sqlite-store";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "fc-store-"));
}

describeStoreConformance("sqlite", () => {
  const dir = tempDir();
  const db = openDb(dir);
  return {
    store: new SqliteStore(db),
    cleanup: () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

// The host's mode: each event-loop turn's commits join one SQLite transaction (savepoints inside).
describeStoreConformance("sqlite with group commit", () => {
  const dir = tempDir();
  const db = openDb(dir);
  const group = new GroupCommit(db, (err) => {
    throw err;
  });
  return {
    store: new SqliteStore(db, { beforeWrite: () => group.begin() }),
    cleanup: () => {
      group.flush();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("group commit", () => {
  it("makes a turn's writes durable together: a connection that dies mid-turn leaves the previous turn intact", async () => {
    const dir = tempDir();
    const db = openDb(dir);
    const group = new GroupCommit(db, () => {});
    const store = new SqliteStore(db, { beforeWrite: () => group.begin() });
    await store.create("jobs/a", { n: 1 });
    await new Promise((r) => setImmediate(r)); // the turn ends: committed
    await store.create("jobs/b", { n: 2 });
    await store.update("jobs/a", { n: 3 });
    db.close(); // dies before this turn's commit: both writes of the turn are gone, none half-applied
    const reopened = new SqliteStore(openDb(dir));
    expect((await reopened.get("jobs/a"))?.data).toEqual({ n: 1 });
    expect(await reopened.get("jobs/b")).toBeNull();
    reopened.db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("SqliteStore outbox rows", () => {
  it("records created docs matching a trigger pattern in the same commit, once", async () => {
    const db = openDb(":memory:");
    const store = new SqliteStore(db, { triggers: ["batch_jobs/*/results/*"] });
    await store.create("batch_jobs/j1", { n: 1 });
    await store.create("batch_jobs/j1/results/000001", { status: "succeeded" });
    await store.set("batch_jobs/j1/results/000001", { status: "failed" });
    const tx = store.batch();
    tx.set("batch_jobs/j1/results/000002", { status: "failed" });
    tx.update("batch_jobs/j1", { n: 2 });
    await tx.commit();
    const rows = db.prepare("SELECT path, data FROM outbox ORDER BY seq").all() as { path: string; data: string }[];
    expect(rows.map((r) => r.path)).toEqual(["batch_jobs/j1/results/000001", "batch_jobs/j1/results/000002"]);
    expect(JSON.parse(rows[0]!.data)).toEqual({ status: "succeeded" });
    db.close();
  });

  it("writes no outbox row when the commit fails", async () => {
    const db = openDb(":memory:");
    const store = new SqliteStore(db, { triggers: ["batch_jobs/*/results/*"] });
    await store.create("batch_jobs/j1/results/000001", { v: 1 });
    const batch = store.batch();
    batch.create("batch_jobs/j1/results/000002", { v: 2 });
    batch.create("batch_jobs/j1/results/000001", { v: 3 });
    await expect(batch.commit()).rejects.toThrow("already exists");
    expect(db.prepare("SELECT count(*) FROM outbox").pluck().get()).toBe(1);
    expect(await store.get("batch_jobs/j1/results/000002")).toBeNull();
    db.close();
  });
});

describe("versions across restarts", () => {
  it("never repeats a version after the newest documents were deleted, so a resumed event stream misses nothing", async () => {
    const dir = tempDir();
    const first = new SqliteStore(openDb(dir));
    await first.create("batch_jobs/j/results/000001", { v: 1 });
    await first.create("batch_jobs/j/results/000002", { v: 2 });
    const lastSeen = Math.max(...first.versionsSince("batch_jobs/j/results", 0).map((d) => d.version));
    await first.delete("batch_jobs/j/results/000002"); // retry-failed deletes result documents
    first.db.close();

    const second = new SqliteStore(openDb(dir));
    await second.create("batch_jobs/j/results/000002", { v: 3 });
    expect(second.versionsSince("batch_jobs/j/results", lastSeen).map((d) => d.id)).toEqual(["000002"]);
    second.db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

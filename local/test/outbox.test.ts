/**
 * The outbox delivers every created trigger doc at least once: in commit order, again after a
 * failed callback, and after a restart for rows whose delivery never completed (crash).
 */
import { silentLogger, type Doc } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor } from "@flowcraft/core/testing";
import { openDb } from "../src/sqlite/open-db";
import { OutboxPump } from "../src/sqlite/outbox";
import { SqliteStore } from "../src/sqlite/sqlite-store";

const TRIGGERS = ["batch_jobs/*/results/*"];

function setup(dir: string, deliver: (doc: Doc) => Promise<void>) {
  const db = openDb(dir);
  const store = new SqliteStore(db, { triggers: TRIGGERS });
  const pump = new OutboxPump({ db, deliver, logger: silentLogger, baseRetryDelayMs: 5 });
  store.onCommit(() => pump.wake());
  pump.wake();
  return { db, store, pump };
}

describe("OutboxPump", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-outbox-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("delivers created result docs with their data and retries a failed delivery", async () => {
    const seen: string[] = [];
    let failOnce = true;
    const { db, store, pump } = setup(dir, async (doc) => {
      seen.push(`${doc.id}:${String(doc.data.v)}`);
      if (doc.id === "000002" && failOnce) {
        failOnce = false;
        throw new Error("handler down");
      }
    });
    await store.create("batch_jobs/j/results/000001", { v: 1 });
    await store.create("batch_jobs/j/results/000002", { v: 2 });
    await store.create("batch_jobs/j", { v: 0 });
    await waitFor(() => seen.length === 3, "three deliveries");
    expect(seen.sort()).toEqual(["000001:1", "000002:2", "000002:2"]);
    await pump.stop();
    expect(db.prepare("SELECT count(*) FROM outbox").pluck().get()).toBe(0);
    db.close();
  });

  it("delivers only the fields a trigger lists, and whole data for a plain pattern", async () => {
    const db = openDb(dir);
    const triggers = [{ pattern: "batch_jobs/*/results/*", fields: ["jobId", "rowIndex", "lane"] }, "batch_jobs/*/webhook_events/*"];
    const store = new SqliteStore(db, { triggers });
    const seen: Doc[] = [];
    const pump = new OutboxPump({ db, deliver: async (doc) => void seen.push(doc), logger: silentLogger });
    store.onCommit(() => pump.wake());
    await store.create("batch_jobs/j/results/000001", { jobId: "j", rowIndex: 1, status: "succeeded", outputs: { text: "long answer" } });
    await store.create("batch_jobs/j/webhook_events/e1", { kind: "finished", body: { rows: 1 } });
    await store.create("batch_jobs/j/lanes/L000", { index: 0 }); // no trigger
    await waitFor(() => seen.length === 2, "both deliveries");
    expect(seen.map((d) => [d.path, d.data])).toEqual([
      ["batch_jobs/j/results/000001", { jobId: "j", rowIndex: 1 }],
      ["batch_jobs/j/webhook_events/e1", { kind: "finished", body: { rows: 1 } }],
    ]);
    // The document itself keeps all of its data.
    expect((await store.get("batch_jobs/j/results/000001"))?.data.outputs).toEqual({ text: "long answer" });
    await pump.stop();
    db.close();
  });

  it("delivers rows left undelivered by a dead process after the next start", async () => {
    const first = setup(dir, () => new Promise<void>(() => {})); // never completes: the process "dies"
    await first.store.create("batch_jobs/j/results/000001", { v: 1 });
    await first.store.create("batch_jobs/j/results/000002", { v: 2 });
    void first.pump.stop(); // stops taking rows; its stuck delivery is abandoned
    first.db.close();

    const seen: string[] = [];
    const second = setup(dir, async (doc) => void seen.push(doc.id));
    await waitFor(() => seen.length === 2, "redelivery after restart");
    await second.pump.stop();
    expect(seen).toEqual(["000001", "000002"]);
    expect(second.db.prepare("SELECT count(*) FROM outbox").pluck().get()).toBe(0);
    second.db.close();
  });

  it("keeps delivering after the table emptied and refilled, wave after wave", async () => {
    const seen = new Set<string>();
    const { db, store, pump } = setup(dir, async (doc) => void seen.add(doc.id));
    const count = db.prepare("SELECT count(*) FROM outbox").pluck();
    for (let wave = 0; wave < 4; wave++) {
      const ids = Array.from({ length: 50 }, (_, i) => `w${wave}-${String(i).padStart(3, "0")}`);
      for (const id of ids) await store.create(`batch_jobs/j/results/${id}`, { v: id });
      await waitFor(() => ids.every((id) => seen.has(id)), `every row of wave ${wave} delivered`);
      // The table empties between waves: that is when a reused row number used to hide new rows.
      await waitFor(() => count.get() === 0, `outbox empty after wave ${wave}`);
    }
    expect(seen.size).toBe(200);
    await pump.stop();
    db.close();
  });

  it("delivers rows created while an older row is still in flight and newer ones were deleted", async () => {
    const seen: string[] = [];
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    const { db, store, pump } = setup(dir, async (doc) => {
      seen.push(doc.id);
      if (doc.id === "slow") await first;
    });
    const count = db.prepare("SELECT count(*) FROM outbox").pluck();
    await store.create("batch_jobs/j/results/slow", { v: 0 });
    await store.create("batch_jobs/j/results/a", { v: 1 });
    await store.create("batch_jobs/j/results/b", { v: 2 });
    // Only the slow row is left: the newest row numbers are free again.
    await waitFor(() => seen.length === 3 && count.get() === 1, "a and b delivered and deleted");
    await store.create("batch_jobs/j/results/c", { v: 3 });
    await waitFor(() => seen.includes("c"), "c delivered while slow is in flight");
    releaseFirst();
    await waitFor(() => count.get() === 0, "outbox drained");
    await pump.stop();
    db.close();
  });

  it("gives a file made with reusable row numbers a never-repeating sequence, keeping its rows", async () => {
    const legacy = openDb(dir);
    legacy.exec(
      "DROP TABLE outbox; CREATE TABLE outbox (seq INTEGER PRIMARY KEY, path TEXT NOT NULL, data TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);",
    );
    legacy.prepare("INSERT INTO outbox (seq, path, data) VALUES (7, 'batch_jobs/j/results/left', '{\"v\":7}')").run();
    legacy.close();

    const seen: string[] = [];
    const { db, store, pump } = setup(dir, async (doc) => void seen.push(doc.id));
    await waitFor(() => seen.includes("left"), "the row left in the old table delivered");
    await waitFor(() => db.prepare("SELECT count(*) FROM outbox").pluck().get() === 0, "outbox empty");
    await store.create("batch_jobs/j/results/next", { v: 8 });
    await waitFor(() => seen.includes("next"), "a row created after the table emptied delivered");
    expect(db.prepare("SELECT seq FROM outbox UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().all()).toEqual([8]);
    await pump.stop();
    db.close();
  });
});

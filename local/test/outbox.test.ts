/**
 * The outbox delivers every created trigger doc at least once: in commit order, again after a
 * failed callback, and after a restart for rows whose delivery never completed (crash).
 */
import { silentLogger, type Doc } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { waitFor } from "../../core/src/ports/conformance/task-queue-conformance";
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
});

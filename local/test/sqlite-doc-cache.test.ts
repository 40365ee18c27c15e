/**
 * The SQLite store keeps the documents it read or wrote in memory: repeated reads of a hot
 * document (a job, a lane) skip the file, and what it returns always matches the file, including
 * after a failed commit (rolled back) and after a restart on the same file.
 */
import { AlreadyExistsError } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb, type Db } from "../src/sqlite/open-db";
import { SqliteStore } from "../src/sqlite/sqlite-store";

let dir: string;
let db: Db;
let store: SqliteStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-doc-cache-"));
  db = openDb(dir);
  store = new SqliteStore(db);
});
afterEach(() => {
  if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("serves a written document's reads, and a missing one's, from memory", async () => {
  await store.create("jobs/a", { n: 1 });
  await store.update("jobs/a", { n: 2 });
  const before = store.fileReads;
  for (let i = 0; i < 3; i++) expect((await store.get("jobs/a"))?.data).toEqual({ n: 2 });
  expect(await store.get("jobs/missing")).toBeNull();
  expect(await store.get("jobs/missing")).toBeNull();
  expect(store.fileReads - before).toBe(1); // only the first read of the missing document
});

it("returns a private copy on each read", async () => {
  await store.create("jobs/a", { list: [1] });
  const first = await store.get<{ list: number[] }>("jobs/a");
  first?.data.list.push(2);
  expect((await store.get("jobs/a"))?.data).toEqual({ list: [1] });
});

it("keeps nothing of a commit that failed part way", async () => {
  await store.create("jobs/b", { n: 1 });
  const batch = store.batch();
  batch.set("jobs/a", { n: 9 });
  batch.create("jobs/b", { n: 9 }); // exists: the whole batch is rolled back
  await expect(batch.commit()).rejects.toBeInstanceOf(AlreadyExistsError);
  expect(await store.get("jobs/a")).toBeNull();
  expect((await store.get("jobs/b"))?.data).toEqual({ n: 1 });
});

it("sees deletes and transaction writes, and matches the file after a restart", async () => {
  await store.create("jobs/a", { n: 1 });
  await store.create("jobs/c", { n: 1 });
  await store.delete("jobs/c");
  await store.runTransaction(async (tx) => {
    const cur = await tx.get<{ n: number }>("jobs/a");
    tx.update("jobs/a", { n: (cur?.data.n ?? 0) + 1 });
  });
  expect(await store.get("jobs/c")).toBeNull();
  const versioned = store.getVersioned("jobs/a");
  expect(versioned?.data).toEqual({ n: 2 });
  db.close();
  db = openDb(dir);
  const reopened = new SqliteStore(db);
  expect(reopened.getVersioned("jobs/a")).toEqual(versioned);
  expect(await reopened.get("jobs/c")).toBeNull();
});

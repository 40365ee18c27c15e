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

describe("getAllParsed", () => {
  /** A schema that counts its parses and checks a field, like a zod object would. */
  const counting = () => {
    const schema = {
      parses: 0,
      parse(data: unknown): { n: number; tags: string[] } {
        schema.parses++;
        const d = data as { n?: unknown; tags?: unknown };
        if (typeof d.n !== "number") throw new Error("n must be a number");
        return { n: d.n, tags: Array.isArray(d.tags) ? (d.tags as string[]) : [] };
      },
    };
    return schema;
  };

  it("parses a document once per version and hands the same frozen value out until it is written", async () => {
    const schema = counting();
    await store.create("jobs/a", { n: 1, tags: ["x"] });
    const [first] = await store.getAllParsed([{ path: "jobs/a", schema }]);
    const [again] = await store.getAllParsed([{ path: "jobs/a", schema }]);
    expect(first).toEqual({ n: 1, tags: ["x"] });
    expect(again).toBe(first);
    expect(schema.parses).toBe(1);
    expect(Object.isFrozen(first) && Object.isFrozen(first?.tags)).toBe(true);
    expect(() => first?.tags.push("y")).toThrow(TypeError);

    await store.update("jobs/a", { n: 2 });
    const [after] = await store.getAllParsed([{ path: "jobs/a", schema }]);
    expect(after).toEqual({ n: 2, tags: ["x"] });
    expect(schema.parses).toBe(2);
    expect((await store.get("jobs/a"))?.data).toEqual({ n: 2, tags: ["x"] }); // plain reads stay private copies
  });

  it("answers null for a missing document, parses again with another schema, and lets a parse error through", async () => {
    const one = counting();
    const other = counting();
    await store.create("jobs/a", { n: 1 });
    await store.create("jobs/bad", { n: "one" });
    expect(
      await store.getAllParsed([
        { path: "jobs/a", schema: one },
        { path: "jobs/none", schema: one },
      ]),
    ).toEqual([{ n: 1, tags: [] }, null]);
    await store.getAllParsed([{ path: "jobs/a", schema: other }]);
    expect(other.parses).toBe(1);
    await expect(store.getAllParsed([{ path: "jobs/bad", schema: one }])).rejects.toThrow("n must be a number");
    await expect(store.getAllParsed([{ path: "jobs/bad", schema: one }])).rejects.toThrow("n must be a number");
  });

  it("forgets parsed values with the cache after a rollback and on a new store over the same file", async () => {
    const schema = counting();
    await store.create("jobs/a", { n: 1 });
    const [before] = await store.getAllParsed([{ path: "jobs/a", schema }]);
    store.dropCache();
    const [fresh] = await store.getAllParsed([{ path: "jobs/a", schema }]);
    expect(fresh).toEqual(before);
    expect(fresh).not.toBe(before);
    const reopened = new SqliteStore(db);
    expect(await reopened.getAllParsed([{ path: "jobs/a", schema }])).toEqual([{ n: 1, tags: [] }]);
  });
});

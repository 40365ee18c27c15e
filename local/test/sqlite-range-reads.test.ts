/**
 * Results are addressed by row index: the queries that export, page and retry them read a range of
 * the rowIndex expression index, in index order (no scan of the job's results, no sort), and still
 * return exactly the rows in range, in order.
 */
import type { Query } from "@flowcraft/core";
import { openDb } from "../src/sqlite/open-db";
import { selectSql } from "../src/sqlite/query-sql";
import { SqliteStore } from "../src/sqlite/sqlite-store";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const RESULTS = "batch_jobs/j1/results";

/** The queries core/src/batch issues against a job's results. */
const shapes: Record<string, Query> = {
  "export chunk": {
    where: [
      { field: "rowIndex", op: ">=", value: 200 },
      { field: "rowIndex", op: "<=", value: 399 },
    ],
    orderBy: { field: "rowIndex" },
  },
  "results page after a cursor": { where: [{ field: "rowIndex", op: ">", value: 99 }], orderBy: { field: "rowIndex" }, limit: 100 },
  "first results page": { orderBy: { field: "rowIndex" }, limit: 100 },
  "failed rows page": {
    where: [
      { field: "status", op: "==", value: "failed" },
      { field: "rowIndex", op: ">", value: 99 },
    ],
    orderBy: { field: "rowIndex" },
    limit: 100,
  },
};

describe("range reads of results (SQLite)", () => {
  const db = openDb(":memory:");
  const store = new SqliteStore(db);
  afterAll(() => db.close());

  it.each(Object.entries(shapes))("%s walks the rowIndex index without sorting", (_name, q) => {
    const { sql, params } = selectSql(RESULTS, q);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    expect(plan.some((d) => d.includes("USING INDEX documents_row_index"))).toBe(true);
    expect(plan.filter((d) => d.includes("TEMP B-TREE"))).toEqual([]);
  });

  it("returns exactly the rows in range, in row order, leaving out other types and other jobs", async () => {
    const b = store.batch();
    for (const i of [5, 1, 3, 2, 4, 0]) b.set(`${RESULTS}/${String(i).padStart(6, "0")}`, { rowIndex: i, status: i % 2 ? "failed" : "succeeded" });
    b.set(`${RESULTS}/text`, { rowIndex: "2", status: "failed" });
    b.set(`${RESULTS}/none`, { status: "failed" });
    b.set("batch_jobs/j2/results/000003", { rowIndex: 3, status: "failed" });
    await b.commit();
    const range = await store.query(RESULTS, {
      where: [
        { field: "rowIndex", op: ">=", value: 1 },
        { field: "rowIndex", op: "<=", value: 4 },
      ],
      orderBy: { field: "rowIndex" },
    });
    expect(range.map((d) => d.data.rowIndex)).toEqual([1, 2, 3, 4]);
    const failed = await store.query(RESULTS, {
      ...shapes["failed rows page"],
      where: [
        { field: "status", op: "==", value: "failed" },
        { field: "rowIndex", op: ">", value: 1 },
      ],
    });
    expect(failed.map((d) => d.data.rowIndex)).toEqual([3, 5]);
    const desc = await store.query(RESULTS, { where: [{ field: "rowIndex", op: "<", value: 3 }], orderBy: { field: "rowIndex", direction: "desc" } });
    expect(desc.map((d) => d.data.rowIndex)).toEqual([2, 1, 0]);
  });

  it("keeps a row result of about 1 KB inline: the results take about their own size on disk, not a page each", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-layout-"));
    const fileDb = openDb(dir);
    try {
      const fileStore = new SqliteStore(fileDb);
      const b = fileStore.batch();
      // The shape and size of a short text row's result (about 1,030 bytes of JSON).
      for (let i = 0; i < 300; i++) b.set(`${RESULTS}/${String(i).padStart(6, "0")}`, { rowIndex: i, status: "succeeded", text: "x".repeat(990) });
      await b.commit();
      const { pages, payload } = fileDb.prepare("SELECT sum(pgsize) AS pages, sum(payload) AS payload FROM dbstat WHERE name = 'documents'").get() as {
        pages: number;
        payload: number;
      };
      expect(payload).toBeGreaterThan(300 * 1000);
      // Inline rows fill most of each page; a spilled row's overflow page alone is 4 KiB (4x its size).
      expect(pages / payload).toBeLessThan(1.6);
    } finally {
      fileDb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

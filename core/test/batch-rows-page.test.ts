/**
 * listRows: input cells by row index, paged, as a range read of the row chunks (only the chunks a
 * page overlaps are read, by path; the rows collection is never listed).
 */
import { createBatchHandlers } from "../src/batch/handlers";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";

const owner = { ownerId: "u1" };

async function jobOf(rows: number) {
  const h = makeHarness({ limits: { maxRows: 5_000 } });
  const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(rows, (i) => `note ${i}`) });
  // A fresh instance: its chunk cache is empty, so every chunk it needs is a store read.
  return { h, job, handlers: createBatchHandlers(h.deps) };
}

describe("listRows", () => {
  it("pages through every input row in order, with the columns", async () => {
    const { job, handlers } = await jobOf(450);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await handlers.listRows(owner, job.id, { limit: 120, cursor });
      expect(page.columns).toEqual(COLUMNS);
      for (const r of page.rows) {
        expect(r.cells).toEqual({ topic: `topic ${r.rowIndex}`, note: `note ${r.rowIndex}` });
        seen.push(r.rowIndex);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 450 }, (_, i) => i));
  });

  it("reads only the chunks a page overlaps, by path, and never lists the rows", async () => {
    // 1,000 rows are 5 chunks of 200: rows 390..409 span chunks 1 and 2.
    const { h, job, handlers } = await jobOf(1_000);
    const gets = jest.spyOn(h.store, "get");
    const queries = jest.spyOn(h.store, "query");
    const page = await handlers.listRows(owner, job.id, { cursor: "390", limit: 20 });
    expect(page.rows.map((r) => r.rowIndex)).toEqual(Array.from({ length: 20 }, (_, i) => 390 + i));
    expect(page.nextCursor).toBe("410");
    const paths = gets.mock.calls.map(([p]) => p);
    expect(paths.filter((p) => p.includes("/rows/"))).toEqual([`batch_jobs/${job.id}/rows/00001`, `batch_jobs/${job.id}/rows/00002`]);
    expect(queries.mock.calls.filter(([p]) => p.includes("/rows"))).toEqual([]);
  });

  it("ends the last page with a null cursor, and answers an empty page past the end", async () => {
    const { job, handlers } = await jobOf(5);
    const page = await handlers.listRows(owner, job.id, { cursor: "3", limit: 10 });
    expect(page.rows.map((r) => r.rowIndex)).toEqual([3, 4]);
    expect(page.nextCursor).toBeNull();
    expect(await handlers.listRows(owner, job.id, { cursor: "9" })).toEqual({ columns: COLUMNS, rows: [], nextCursor: null });
  });

  it("clamps the limit to 1..1000 and refuses a cursor that is not a row index", async () => {
    const { job, handlers } = await jobOf(3);
    expect((await handlers.listRows(owner, job.id, { limit: 0 })).rows).toHaveLength(1);
    await expect(handlers.listRows(owner, job.id, { cursor: "-1" })).rejects.toMatchObject({ code: "invalid_input", details: [{ path: "cursor" }] });
  });

  it("answers not_found for another owner's batch and for an id no batch can have", async () => {
    const { job, handlers } = await jobOf(3);
    await expect(handlers.listRows({ ownerId: "u2" }, job.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(handlers.listRows(owner, "a/rows/00000")).rejects.toMatchObject({ code: "not_found" });
  });
});

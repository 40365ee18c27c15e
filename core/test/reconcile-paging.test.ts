/**
 * reconcile visits every processing job, not only a first page: 450 started jobs whose tasks were
 * all lost (more than two pages of RECONCILE_PAGE_SIZE) are all re-driven, and a processing job
 * whose document does not parse is skipped without stopping the jobs after it.
 */
import { RECONCILE_PAGE_SIZE } from "../src/batch/reconcile";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";

describe("reconcile paging", () => {
  it("re-drives stuck lanes of every processing job, past the first pages and a malformed job", async () => {
    const h = makeHarness();
    const jobs = 2 * RECONCILE_PAGE_SIZE + 50;
    for (let i = 0; i < jobs; i++) {
      // One owner per job: the per-owner cap on active jobs does not apply to this scan.
      const job = await h.handlers.createJob({ ownerId: `u${i}`, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1), concurrency: 1 });
      await h.handlers.startJob({ ownerId: `u${i}` }, job.id);
    }
    // Sorted first by id, so it is the first job a scan meets.
    await h.store.set("batch_jobs/job0-malformed", { ownerId: "x", status: "processing", totalRows: "many" });
    while (h.queue.take()) {
      // every task is lost
    }
    await h.clock.advance(61_000);
    await expect(h.handlers.reconcile({ olderThanMs: 60_000 })).resolves.toMatchObject({ redriven: jobs, finalized: 0 });
    expect(h.queue.pending).toHaveLength(jobs);
  });
});

/**
 * Idempotent create: a client retry with the same request id after a failure AFTER the job was
 * written (the start failed, or the reply was lost) gets the same job, started, and no second job.
 */
import { ValidationError } from "../src/errors";
import { REQUESTS } from "../src/batch/request-ids";
import type { CreateJobInput } from "../src/batch/api";
import { COLUMNS, TWO_STEP_FLOW, ctxFor, rowsOf } from "./support/batch-harness";
import { makeCreateHarness, type CreateHarness } from "./support/create-harness";

const owner = { ownerId: "u1" };
const submit = (o: Partial<CreateJobInput> = {}): CreateJobInput => ({
  ...owner,
  flow: TWO_STEP_FLOW,
  columns: COLUMNS,
  rows: rowsOf(3),
  concurrency: 2,
  start: true,
  requestId: "3f1c0d9e-7a42-4c1b-9d55-0c8e2b6f4a10",
  ...o,
});

async function runAll(h: CreateHarness): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const t = h.queue.take();
    if (!t) return;
    await h.handlers.runRowTask(t.payload, ctxFor(t.id));
  }
}

describe("createJob with a request id", () => {
  test("a retry after the start failed returns the same job and starts it", async () => {
    const h = makeCreateHarness();
    let failed = false;
    // The start's transaction (it writes the lanes) fails once, after the job was committed.
    h.failCommit = (info) => !failed && info.paths.some((p) => p.includes("/lanes/")) && (failed = true);
    await expect(h.handlers.createJob(submit())).rejects.toThrow(/injected/);
    expect(h.store.docCount("batch_jobs")).toBe(1);
    const retried = await h.handlers.createJob(submit());
    expect(retried).toMatchObject({ id: "job1", status: "processing", totalRows: 3 });
    expect(h.store.docCount("batch_jobs")).toBe(1);
    expect(h.store.docCount(REQUESTS)).toBe(1);
    expect(h.queue.all.size).toBe(2); // one task per lane
  });

  test("a retry after a lost reply (the enqueue failed after the start committed) re-ensures the tasks", async () => {
    const h = makeCreateHarness();
    const enqueue = h.queue.enqueue.bind(h.queue);
    let lost = 1;
    h.queue.enqueue = async (t) => {
      if (lost-- > 0) throw new Error("deadline exceeded (injected)");
      return enqueue(t);
    };
    await expect(h.handlers.createJob(submit())).rejects.toThrow(/injected/);
    const retried = await h.handlers.createJob(submit());
    expect(retried.id).toBe("job1");
    expect(h.queue.all.size).toBe(2);
    await runAll(h);
    expect(h.store.docCount("batch_jobs/job1/results")).toBe(3);
    expect(h.store.docCount("batch_jobs")).toBe(1);
  });

  test("a retry of a finished job returns it as it is (not restarted, not re-created)", async () => {
    const h = makeCreateHarness();
    const first = await h.handlers.createJob(submit({ start: false }));
    await h.handlers.cancelJob(owner, first.id);
    const again = await h.handlers.createJob(submit({ start: false }));
    expect(again).toMatchObject({ id: first.id, status: "cancelled" });
    expect(h.store.docCount("batch_jobs")).toBe(1);
  });

  test("a malformed request id is refused before anything is written", async () => {
    const h = makeCreateHarness();
    const err = await h.handlers.createJob(submit({ requestId: "no spaces/slashes" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details?.[0]?.path).toBe("requestId");
    expect(h.store.docCount()).toBe(0);
  });

  test("the same payload spelled differently (key order) is the same request", async () => {
    const h = makeCreateHarness();
    const a = await h.handlers.createJob(submit({ start: false }));
    const reordered = {
      start: false,
      requestId: submit().requestId,
      rows: rowsOf(3).map((r) => ({ note: r.note, topic: r.topic })),
      columns: COLUMNS,
      flow: TWO_STEP_FLOW,
      concurrency: 2,
      ...owner,
    };
    const b = await h.handlers.createJob(reordered as CreateJobInput);
    expect(b.id).toBe(a.id);
  });
});

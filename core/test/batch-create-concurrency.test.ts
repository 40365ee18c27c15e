/**
 * Concurrent creates on the simulator (the in-memory store with virtual-time transaction windows,
 * so concurrent transactions really overlap and conflict): the per-owner active-job limit holds,
 * the owner's active set stays exact through finalize and cancel under duplicated deliveries, and
 * two identical calls with one request id create one job.
 */
import type { CreateJobInput } from "../src/batch/api";
import { ownerSlotsPath, type OwnerSlots } from "../src/batch/owner-slots";
import { REQUESTS } from "../src/batch/request-ids";
import { PermanentError } from "../src/errors";
import { STANDARD_FAULTS } from "../src/sim/faults";
import { Simulation } from "../src/sim/simulation";
import { COLUMNS, TWO_STEP_FLOW, rowsOf } from "./support/batch-harness";

const owner = { ownerId: "u1" };
const input = (o: Partial<CreateJobInput> = {}): CreateJobInput => ({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(4), concurrency: 2, ...o });

function sim(limit = 10, seed = 7): Simulation {
  return new Simulation({ seed, faults: STANDARD_FAULTS, latencyMs: 200, latencySigma: 0.3, limits: { maxActiveJobsPerOwner: limit } });
}

async function activeSet(s: Simulation, ownerId = owner.ownerId): Promise<string[]> {
  const doc = await s.store.inner.get<OwnerSlots>(ownerSlotsPath(ownerId));
  return Object.keys(doc?.data.active ?? {}).sort();
}

async function activeJobs(s: Simulation, ownerId = owner.ownerId): Promise<string[]> {
  const docs = await s.store.inner.query("batch_jobs", {
    where: [
      { field: "ownerId", op: "==", value: ownerId },
      { field: "status", op: "in", value: ["pending", "processing"] },
    ],
  });
  return docs.map((d) => d.id).sort();
}

describe("per-owner active-job limit under concurrency", () => {
  test.each([1, 2, 3])("25 concurrent creates leave at most 10 active (seed %i)", async (seed) => {
    const s = sim(10, seed);
    const outcomes = await s.drive(Promise.allSettled(Array.from({ length: 25 }, () => s.handlers.createJob(input()))));
    const created = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(created).toHaveLength(10);
    for (const r of refused) expect(r.reason).toMatchObject({ code: "limit_exceeded" });
    expect(s.store.inner.docCount("batch_jobs")).toBe(10);
    expect(await activeSet(s)).toEqual(await activeJobs(s));
    expect(s.store.inner.stats.transactionConflicts).toBeGreaterThan(0); // they really overlapped
  });

  test("the active set stays exact as jobs finish (duplicated triggers) and are cancelled", async () => {
    const s = sim(3);
    const jobs = await s.drive(Promise.all([1, 2, 3].map(() => s.handlers.createJob(input()))));
    await expect(s.drive(s.handlers.createJob(input()))).rejects.toMatchObject({ code: "limit_exceeded" });
    const [a, b, c] = jobs.map((j) => j.id) as [string, string, string];
    await s.drive(s.handlers.cancelJob(owner, a));
    await s.drive(s.handlers.cancelJob(owner, a)); // idempotent: still one release
    await s.drive(s.handlers.startJob(owner, b));
    s.queue.crashesEnabled = true;
    await s.run();
    expect((await s.drive(s.handlers.getJob(owner, b))).status).toMatch(/completed|failed/);
    expect(await activeSet(s)).toEqual([c]);
    expect(await activeJobs(s)).toEqual([c]);
    // Two slots are free again: exactly two of five concurrent creates get them.
    const more = await s.drive(Promise.allSettled(Array.from({ length: 5 }, () => s.handlers.createJob(input()))));
    expect(more.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    expect(await activeSet(s)).toEqual(await activeJobs(s));
    expect(await activeSet(s)).toHaveLength(3);
  });

  test("an owner whose jobs predate the owner document is counted from the jobs themselves", async () => {
    const s = sim(2);
    await s.drive(Promise.all([s.handlers.createJob(input()), s.handlers.createJob(input())]));
    await s.drive(s.store.inner.delete(ownerSlotsPath(owner.ownerId))); // as before the document existed
    const refused = await s.drive(Promise.allSettled([s.handlers.createJob(input()), s.handlers.createJob(input())]));
    expect(refused.every((o) => o.status === "rejected" && (o.reason as PermanentError).code === "limit_exceeded")).toBe(true);
    expect(s.store.inner.docCount("batch_jobs")).toBe(2);
  });

  test("a retry pass counts against the limit like a new job", async () => {
    const s = new Simulation({
      seed: 3,
      faults: { ...STANDARD_FAULTS, permanent: 0.5 },
      latencyMs: 100,
      latencySigma: 0,
      limits: { maxActiveJobsPerOwner: 1 },
    });
    const a = await s.drive(s.handlers.createJob(input({ rows: rowsOf(12), start: true })));
    await s.run();
    const done = await s.drive(s.handlers.getJob(owner, a.id));
    expect(done.failedRows).toBeGreaterThan(0);
    const b = await s.drive(s.handlers.createJob(input()));
    await expect(s.drive(s.handlers.retryFailed(owner, a.id))).rejects.toMatchObject({ code: "limit_exceeded" });
    await s.drive(s.handlers.cancelJob(owner, b.id));
    await s.drive(s.handlers.retryFailed(owner, a.id));
    expect(await activeSet(s)).toEqual([a.id]);
    await s.run();
    expect(await activeSet(s)).toEqual([]);
    expect(await activeJobs(s)).toEqual([]);
  });
});

describe("idempotent create under concurrency", () => {
  test("two concurrent identical calls with one request id create ONE job", async () => {
    const s = sim();
    const req = input({ requestId: "submit-1", start: true });
    const [x, y] = await s.drive(Promise.all([s.handlers.createJob(req), s.handlers.createJob({ ...req })]));
    expect(x.id).toBe(y.id);
    expect(s.store.inner.docCount("batch_jobs")).toBe(1);
    expect(s.store.inner.docCount(REQUESTS)).toBe(1);
    expect(await activeSet(s)).toEqual([x.id]);
    await s.run();
    const done = await s.drive(s.handlers.getJob(owner, x.id));
    expect(done.completedRows + done.failedRows).toBe(4);
  });

  test("the same request id with a different payload is a conflict, and writes nothing", async () => {
    const s = sim();
    await s.drive(s.handlers.createJob(input({ requestId: "submit-1" })));
    const writes = s.store.inner.writeLog.length;
    const err = await s.drive(s.handlers.createJob(input({ requestId: "submit-1", rows: rowsOf(5) }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: "conflict", message: expect.stringMatching(/submit-1.*different batch/) });
    expect(s.store.inner.writeLog).toHaveLength(writes);
    // Another owner's identical id is its own request.
    const other = await s.drive(s.handlers.createJob(input({ ownerId: "u2", requestId: "submit-1" })));
    expect(other.ownerId).toBe("u2");
    expect(s.store.inner.docCount("batch_jobs")).toBe(2);
  });
});

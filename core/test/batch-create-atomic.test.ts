/**
 * createJob leaves nothing behind when it is refused or fails: every document is checked before
 * the first write (the store's own data checks included), a create that fits one commit is one
 * commit, and a staged create (too large for one commit, as on Firestore) cleans up after itself,
 * or is cleaned by reconcile when even the cleanup failed. Its staged rows are never visible.
 */
import { PermanentError, RetryableError, ValidationError } from "../src/errors";
import { STAGING, STAGING_TIMEOUT_MS } from "../src/batch/create-staging";
import { COLUMNS, TWO_STEP_FLOW, rowsOf } from "./support/batch-harness";
import { makeCreateHarness, wideRows } from "./support/create-harness";

const owner = { ownerId: "u1" };
/** Small commits force the staged path with a few hundred KB of rows. */
const SMALL_COMMITS = { maxWrites: 500, maxBytes: 200_000 };

function flowWith(patch: (f: typeof TWO_STEP_FLOW) => void): typeof TWO_STEP_FLOW {
  const f = structuredClone(TWO_STEP_FLOW);
  patch(f);
  return f;
}
const nodeData = (f: typeof TWO_STEP_FLOW, i: number): Record<string, unknown> => (f.nodes[i] as { data: Record<string, unknown> }).data;

type Case = [name: string, input: Record<string, unknown>, code: string, path: RegExp];
const cases: Case[] = [
  [
    "a nested array in flow data",
    { flow: flowWith((f) => void (nodeData(f, 2).extra = [[1, 2], [3]])) },
    "invalid_flow",
    /^flow\.nodes\[2\]\.data\.extra\[0\]$/,
  ],
  ["a __x__ key in flow data", { flow: flowWith((f) => void (nodeData(f, 2).__x__ = 1)) }, "invalid_flow", /^flow\.nodes\[2\]\.data\.__x__$/],
  [
    "a __x__ key on an edge",
    { flow: flowWith((f) => void ((f.edges[0] as Record<string, unknown>).__meta__ = {})) },
    "invalid_flow",
    /^flow\.edges\[0\]\.__meta__$/,
  ],
  ["a job document over 1 MiB", { flow: flowWith((f) => void (nodeData(f, 2).system = "s".repeat(1_100_000))) }, "invalid_flow", /^flow$/],
  ["a reserved column name", { columns: [...COLUMNS, "__x__"] }, "invalid_input", /^columns\[2\]$/],
];

describe("createJob: nothing is written for a refused request", () => {
  const shapes = [
    ["one commit", undefined],
    ["staged", SMALL_COMMITS],
  ] as const;
  describe.each(shapes)("%s", (_shape, commitLimits) => {
    test.each(cases)("%s: refused before the first write", async (_name, patch, code, path) => {
      const h = makeCreateHarness(commitLimits ? { commitLimits } : {});
      const input = { ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: wideRows(600, 1_000), ...patch };
      const err = await h.handlers.createJob(input as Parameters<typeof h.handlers.createJob>[0]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe(code);
      expect((err as ValidationError).details?.map((d) => d.path)).toEqual(expect.arrayContaining([expect.stringMatching(path)]));
      expect(h.store.writeLog).toHaveLength(0);
      expect(h.store.docCount()).toBe(0);
    });

    test("limit exceeded: refused before the first write", async () => {
      const h = makeCreateHarness({ limits: { maxActiveJobsPerOwner: 1 }, ...(commitLimits ? { commitLimits } : {}) });
      await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(2) });
      const before = h.store.snapshot();
      const writes = h.store.writeLog.length;
      const err = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: wideRows(600, 1_000) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as PermanentError).code).toBe("limit_exceeded");
      expect(h.store.writeLog).toHaveLength(writes);
      expect(h.store.snapshot()).toEqual(before);
    });
  });
});

describe("createJob: atomic where one commit can hold it, cleaned up where it cannot", () => {
  test("a create that fits one commit writes the rows, the job and the owner's set in ONE commit", async () => {
    const h = makeCreateHarness();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(450) });
    const versions = new Set(h.store.writeLog.map((w) => w.version));
    expect(versions.size).toBe(1);
    expect(h.store.writeLog.filter((w) => w.path.startsWith(`batch_jobs/${job.id}/rows/`))).toHaveLength(3);
    expect(h.store.docCount(STAGING)).toBe(0);
  });

  test("a store failure midway through a staged create removes every chunk it wrote", async () => {
    const h = makeCreateHarness({ commitLimits: SMALL_COMMITS });
    let batches = 0;
    h.failCommit = (info) => info.kind === "batch" && ++batches === 3;
    const err = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: wideRows(1_000, 500) }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/injected/);
    expect(h.store.writeLog.some((w) => w.path.includes("/rows/"))).toBe(true); // chunks were written...
    expect(h.store.docCount()).toBe(0); // ...and removed again, with the marker
  });

  test("when the cleanup fails too, the staged rows stay invisible and reconcile removes them", async () => {
    const h = makeCreateHarness({ commitLimits: SMALL_COMMITS });
    let down = false;
    let batches = 0;
    h.failCommit = (info) => (down ||= info.kind === "batch" && ++batches === 3);
    await expect(h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: wideRows(1_000, 500) })).rejects.toThrow(/injected/);
    down = false;
    h.failCommit = () => false;
    const orphans = h.store.docCount();
    expect(orphans).toBeGreaterThan(1); // the marker and two chunk commits
    expect(await h.handlers.listJobs(owner)).toEqual([]);
    await expect(h.handlers.getJob(owner, "job1")).rejects.toMatchObject({ code: "not_found" });
    // Not yet: a create may still be running.
    await expect(h.handlers.reconcile()).resolves.toMatchObject({ abandonedCreates: 0 });
    expect(h.store.docCount()).toBe(orphans);
    await h.clock.advance(STAGING_TIMEOUT_MS + 1);
    await expect(h.handlers.reconcile()).resolves.toMatchObject({ abandonedCreates: 1 });
    expect(h.store.docCount()).toBe(0);
    // The owner's limit was never charged.
    await expect(h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(1) })).resolves.toMatchObject({ status: "pending" });
  });

  test("a create abandoned by reconcile while it ran cannot commit its job afterwards", async () => {
    const h = makeCreateHarness({ commitLimits: SMALL_COMMITS });
    let raced = false;
    h.failCommit = () => false;
    const hooked = h.store as unknown as { options: { hooks: { beforeCommit: (i: { kind: string; paths: string[] }) => Promise<void> } } };
    const original = hooked.options.hooks.beforeCommit;
    hooked.options.hooks.beforeCommit = async (info) => {
      await original(info);
      if (raced || info.kind !== "transaction" || !info.paths.includes("batch_jobs/job1")) return;
      raced = true; // the create's job transaction is about to commit: reconcile gets there first
      await h.clock.advance(STAGING_TIMEOUT_MS + 1);
      await h.handlers.reconcile();
    };
    const err = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: wideRows(1_000, 500) }).catch((e: unknown) => e);
    expect(raced).toBe(true);
    expect(err).toBeInstanceOf(RetryableError);
    expect(h.store.docCount()).toBe(0);
  });

  test.each([
    ["the same request id (the loser replays the winner's job)", { requestId: "same-submit" }, {}],
    ["one slot left (the loser is refused for the limit)", {}, { maxActiveJobsPerOwner: 1 }],
  ])("two concurrent staged creates, %s: the loser's staged rows are removed", async (_name, extra, limits) => {
    const h = makeCreateHarness({ commitLimits: SMALL_COMMITS, limits });
    const req = { ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: wideRows(1_000, 500), ...extra };
    const out = await Promise.allSettled([h.handlers.createJob(req), h.handlers.createJob({ ...req })]);
    expect(out.filter((o) => o.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
    for (const o of out) if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "limit_exceeded" });
    const staged = new Set(h.store.writeLog.filter((w) => w.path.includes("/rows/")).map((w) => w.path.split("/")[1]));
    expect(staged.size).toBe(2); // both got past the early checks and staged their rows
    const jobs = await h.store.query("batch_jobs");
    expect(jobs).toHaveLength(1);
    const rowDocs = Object.keys(h.store.snapshot("batch_jobs/")).filter((p) => p.includes("/rows/"));
    expect(rowDocs.every((p) => p.startsWith(`batch_jobs/${jobs[0]?.id}/rows/`))).toBe(true);
    expect(rowDocs).toHaveLength(5);
    expect(h.store.docCount(STAGING)).toBe(0);
  });

  test("10,000 rows over Firestore's limits: staged in commits of at most 500 writes and 10 MiB, job last", async () => {
    const h = makeCreateHarness();
    const job = await h.handlers.createJob({ ...owner, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: wideRows(10_000, 1_200) });
    const chunkCommits = h.commits.filter((c) => c.kind === "batch");
    expect(chunkCommits.length).toBeGreaterThan(1);
    const last = h.store.writeLog[h.store.writeLog.length - 1];
    expect(h.store.writeLog.filter((w) => w.version === last?.version).map((w) => w.path)).toEqual(
      expect.arrayContaining([`batch_jobs/${job.id}`, `${STAGING}/${job.id}`]),
    );
    expect(h.store.docCount(`batch_jobs/${job.id}/rows`)).toBe(50);
    expect(h.store.docCount(STAGING)).toBe(0);
  });
});

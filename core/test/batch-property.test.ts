/**
 * Property tests: 240 seeded simulations of small jobs (20–60 rows, concurrency 1–8, random
 * latency) under the standard faults (duplicate tasks and triggers, crashes before enqueues,
 * 429s; permanent errors raised to 8% so retries have work). Each seed also cancels, changes the
 * concurrency, or retries failed rows. Asserted invariants, per seed:
 *   - in flight never above the concurrency (after a decrease: retired lanes start ≤ 1 more row),
 *     and never more than one row at once in a lane, also when its task runs a group of short rows
 *     (every sixth seed has 10–120 ms calls, so groups hold many rows);
 *   - exactly one result per row, each counted exactly once, job counts equal the results;
 *   - exactly one terminal transition per pass;
 *   - cancel: no row starts after the cancel is committed; the rest is counted as skipped;
 *   - concurrency increase: new lanes take work;
 *   - retry: only failed rows re-run, each resuming from its failed node;
 *   - liveness: every third seed also LOSES 3% of task deliveries; reconcile must recover them;
 *   - Retry-After: every other seed's 429s ask for 20 s, beyond the engine's in-process retry, so
 *     rows re-enqueue their next attempt; that attempt never starts before the delay has passed,
 *     and no row runs more attempts than the queue's budget.
 *   - create: every even seed sends its create twice at once with one request id: one job; the
 *     owner's active set equals the owner's pending/processing/paused jobs after each pass.
 *   - pause/resume: two seeds in five (not cancel seeds) pause at a random moment and resume later
 *     (every tenth seed twice): no row starts while paused, rows in flight are counted once, and
 *     the job ends terminal with every row run exactly once. Half of the cancel seeds pause just
 *     before the cancel (cancel of a paused job) and, once cancelled, resume: a new pass runs
 *     exactly the rows that never ran, and the job ends terminal. A job still paused when the run
 *     goes quiet is resumed once more (the final resume) and must then end.
 *   - re-run with an edited flow: one seed in five (not cancel seeds) that ended completed or failed (after its retry
 *     pass, if any) re-runs all rows or a random list of them with `polish` edited, under the same
 *     faults: only those rows run in the new pass, each counted once, counts equal the results,
 *     one more terminal transition, a row whose `draft` had an output keeps it (not run again)
 *     while `polish` runs, and the job takes the new flow (flowPass = the new pass).
 *   - budget: plain seeds with seed % 5 == 4 run under a budget of 20–70% of the job's nominal
 *     cost (a flat price per call): the job pauses with `budget`, the spend committed stays within
 *     budget + C × the most a row costs, and a resume with a raised budget finishes the job with
 *     every row counted once.
 */
import { resultsPath, RowResult, type Job } from "../src/batch/model";
import { ownerSlotsPath, type OwnerSlots } from "../src/batch/owner-slots";
import { SimCrash, STANDARD_FAULTS } from "../src/sim/faults";
import { Rng } from "../src/sim/random";
import { DEFAULT_RETRY, Simulation, type Attempt } from "../src/sim/simulation";
import { flatCallPrices } from "../src/sim/scenario";
import { exactProgress } from "../src/batch/queries";
import { Lane, lanesPath } from "../src/batch/state";
import { COLUMNS, TWO_STEP_FLOW, rowsOf } from "./support/batch-harness";

/** Raise with BATCH_PROPERTY_SEEDS=2000 for a deeper run. */
const SEEDS = Number(process.env.BATCH_PROPERTY_SEEDS ?? 240);
const owner = { ownerId: "prop" };
/** The flat price of one AI call; a row of TWO_STEP_FLOW makes at most two billed calls. */
const CALL_USD = 0.01;
const ROW_MAX_USD = 2 * CALL_USD;
/** Time from a handler's commit to the engine start of a row it let through (reads only). */
const SLACK_MS = 100;

type Mode = "plain" | "cancel" | "concurrency" | "retry";

interface Outcome {
  sim: Simulation;
  job: Job;
  rows: number;
  c: number;
  mode: Mode;
  change?: { at: number; to: number; unstarted: number };
  cancelAt?: number;
  /** [paused at (commit), resume asked at] for each pause that took effect. */
  pauses: [number, number][];
  /** Cancel seeds that resume their not-run rows once cancelled. */
  resumeCancelled: boolean;
  /** Budget seeds: the budget, and the spend committed when the budget paused the job. */
  budget?: { usd: number; spentAtPause: number };
}

async function results(sim: Simulation, jobId: string): Promise<RowResult[]> {
  return (await sim.store.inner.query(resultsPath(jobId))).map((d) => RowResult.parse(d.data));
}

function maxOverlap(attempts: Attempt[]): number {
  const ev = attempts.flatMap((a) => [
    [a.start, 1],
    [a.end, -1],
  ]);
  ev.sort((x, y) => (x[0] as number) - (y[0] as number) || (x[1] as number) - (y[1] as number));
  let cur = 0;
  let max = 0;
  for (const [, d] of ev) max = Math.max(max, (cur += d as number));
  return max;
}

async function runSeed(seed: number): Promise<Outcome> {
  const rng = new Rng(seed * 7919);
  const rows = rng.int(20, 60);
  const c = rng.int(1, 8);
  const mode: Mode = (["plain", "cancel", "concurrency", "retry"] as const)[seed % 4] as Mode;
  // Every sixth seed has short rows (10–120 ms a call), so lanes run groups of many rows per task;
  // its own generator keeps the other draws as they were.
  const drawnMs = rng.int(200, 3000);
  const latencyMs = seed % 6 === 5 ? new Rng(seed * 131).int(10, 120) : drawnMs;
  // Every third seed also loses 3% of task deliveries outright: only reconcile can recover those.
  const dropTask = seed % 3 === 0 ? 0.03 : 0;
  const faults = { ...STANDARD_FAULTS, permanent: 0.08, dropTask };
  const retryAfterMs = seed % 2 === 0 ? 20_000 : undefined;
  const prices = flatCallPrices("gemini-2.5-flash", CALL_USD);
  const sim = new Simulation({ seed, faults, latencyMs, latencySigma: rng.uniform(0, 1.2), prices, ...(retryAfterMs ? { retryAfterMs } : {}) });
  // Its own generator, so the other seeds' draws stay as they were.
  const budgetUsd = mode === "plain" && seed % 5 === 4 ? rows * ROW_MAX_USD * new Rng(seed * 31).uniform(0.2, 0.7) : undefined;
  const budget = budgetUsd !== undefined ? { budgetUsd } : {};
  const req = { ownerId: owner.ownerId, flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(rows), concurrency: c, requestId: `seed-${seed}`, ...budget };
  const made = await sim.drive(Promise.all((seed % 2 === 0 ? [req, { ...req }] : [req]).map((r) => sim.handlers.createJob(r))));
  expect(new Set(made.map((j) => j.id)).size).toBe(1);
  expect(sim.store.inner.docCount("batch_jobs")).toBe(1);
  const created = made[0] as Job;
  sim.startReconciler(() => sim.finished.length > 0, 24 * 3_600_000);
  await sim.drive(sim.handlers.startJob(owner, created.id));
  sim.queue.crashesEnabled = true;
  const out: Outcome = { sim, job: created, rows, c, mode, pauses: [], resumeCancelled: mode === "cancel" && seed % 8 === 1 };
  const estimate = (rows * latencyMs * 2) / c;
  const actAt = sim.clock.now() + rng.uniform(0.1, 0.8) * estimate;
  if (mode !== "cancel" && (seed % 5 === 1 || seed % 5 === 3)) {
    let at = sim.clock.now();
    for (let cycle = 0; cycle < (seed % 10 === 3 ? 2 : 1); cycle++) {
      at += rng.uniform(0.05, 0.5) * estimate;
      const resumeAt = at + rng.uniform(1_000, estimate / 2 + 60_000);
      schedulePause(out, at, resumeAt);
      at = resumeAt;
    }
  }
  if (out.resumeCancelled) schedulePause(out, actAt - rng.uniform(10, 5_000), null);
  if (mode === "cancel") {
    sim.clock.scheduleAt(actAt, () => {
      const cancelled = (): void => {
        out.cancelAt = sim.clock.now();
      };
      // failed_precondition: the job had already finished. A crash can only follow the commit.
      sim.handlers.cancelJob(owner, created.id).then(cancelled, (e: unknown) => (e instanceof SimCrash ? cancelled() : undefined));
    });
  }
  if (mode === "concurrency") {
    const to = rng.int(1, 8);
    sim.clock.scheduleAt(actAt, () => {
      const changed = (): void => {
        const begun = new Set(sim.attempts.map((a) => a.rowIndex));
        out.change = { at: sim.clock.now(), to, unstarted: rows - begun.size - sim.inFlight };
      };
      // A crash before its enqueues still leaves the change committed (reconcile re-drives the lanes).
      sim.handlers.setConcurrency(owner, created.id, to).then(changed, (e: unknown) => (e instanceof SimCrash ? changed() : undefined));
    });
  }
  await sim.run();
  out.job = await sim.drive(sim.handlers.getJob(owner, created.id));
  if (budgetUsd !== undefined) await resumeOverBudget(out, budgetUsd);
  if (out.job.status === "paused") {
    // The final resume: a pause that landed after its resume was asked (or a resume lost to a crash).
    const resumedAt = sim.clock.now();
    for (const w of out.pauses) if (w[1] === Number.POSITIVE_INFINITY) w[1] = resumedAt;
    if (!out.pauses.some((w) => w[0] === out.job.pausedAt)) out.pauses.push([out.job.pausedAt ?? resumedAt, resumedAt]);
    sim.queue.crashesEnabled = false;
    await sim.drive(sim.handlers.resumeJob(owner, created.id));
    sim.queue.crashesEnabled = true;
    sim.startReconciler(() => sim.finished.length > 0, sim.clock.now() + 24 * 3_600_000);
    await sim.run();
    out.job = await sim.drive(sim.handlers.getJob(owner, created.id));
  }
  return out;
}

/** A budget seed ended paused by its budget: check the bound, then resume under a raised budget. */
async function resumeOverBudget(o: Outcome, usd: number): Promise<void> {
  const { sim, job } = o;
  expect(job).toMatchObject({ status: "paused", pausedReason: "budget", budgetUsd: usd });
  const spent = (await sim.drive(exactProgress(sim.store.inner, job.id)))?.costUsd ?? 0;
  o.budget = { usd, spentAtPause: spent };
  expect(spent).toBeLessThanOrEqual(usd + o.c * ROW_MAX_USD + 1e-9);
  sim.queue.crashesEnabled = false;
  const resumedAt = sim.clock.now();
  o.pauses.push([job.pausedAt ?? resumedAt, resumedAt]);
  await sim.drive(sim.handlers.resumeJob(owner, job.id, { budgetUsd: 1_000_000 }));
  sim.queue.crashesEnabled = true;
  sim.startReconciler(() => sim.finished.length > 0, sim.clock.now() + 24 * 3_600_000);
  await sim.run();
  o.job = await sim.drive(sim.handlers.getJob(owner, job.id));
}

/** Pauses at `at`; resumes at `resumeAt` (null: never, a cancel follows). Records the windows. */
function schedulePause(o: Outcome, at: number, resumeAt: number | null): void {
  const { sim, job } = o;
  sim.clock.scheduleAt(at, () => {
    // failed_precondition: the job had already finished (or is being cancelled).
    sim.handlers.pauseJob(owner, job.id).then(
      (j) => {
        if (j.status !== "paused" || j.pausedAt === null) return;
        const window: [number, number] = [j.pausedAt, Number.POSITIVE_INFINITY];
        if (!o.pauses.some((w) => w[0] === window[0])) o.pauses.push(window);
      },
      () => undefined,
    );
  });
  if (resumeAt === null) return;
  sim.clock.scheduleAt(resumeAt, () => {
    for (const w of o.pauses) if (w[1] === Number.POSITIVE_INFINITY) w[1] = sim.clock.now();
    // A crash after the commit still leaves the job running: reconcile re-drives its lanes.
    sim.handlers.resumeJob(owner, job.id).catch(() => undefined);
  });
}

function checkPassZero(o: Outcome, res: RowResult[]): void {
  const { sim, job, rows } = o;
  expect(["completed", "failed", "cancelled"]).toContain(job.status);
  expect(sim.finished.filter((f) => f.jobId === job.id)).toHaveLength(1);
  expect(sim.terminalWrites.filter((f) => f.jobId === job.id).map((f) => f.status)).toEqual([job.status]);
  const succeeded = res.filter((r) => r.status === "succeeded").length;
  const failed = res.filter((r) => r.status === "failed").length;
  expect(job.completedRows).toBe(succeeded);
  expect(job.failedRows).toBe(failed);
  expect([...sim.counted.values()].every((n) => n === 1)).toBe(true);
  expect(sim.counted.size).toBe(res.length);
  if (job.status === "cancelled") {
    expect(succeeded + failed + job.skippedRows).toBe(rows);
  } else {
    expect(res).toHaveLength(rows);
    expect(new Set(res.map((r) => r.rowIndex)).size).toBe(rows);
  }
}

/** The owner's active set is exactly the owner's pending/processing jobs (none once terminal). */
async function checkOwnerSet(o: Outcome): Promise<void> {
  const doc = await o.sim.store.inner.get<OwnerSlots>(ownerSlotsPath(owner.ownerId));
  const active = await o.sim.store.inner.query("batch_jobs", { where: [{ field: "status", op: "in", value: ["pending", "processing", "paused"] }] });
  expect(Object.keys(doc?.data.active ?? {}).sort()).toEqual(active.map((d) => d.id).sort());
  expect(doc?.data.counted).toBe(true);
}

function checkDispatch(o: Outcome): void {
  const { sim, c } = o;
  const pass0 = sim.attempts.filter((a) => a.pass === 0);
  // A lane runs one row at a time, also when its task runs a group of rows.
  for (const lane of new Set(sim.attempts.map((a) => `${a.pass}:${a.lane}`))) {
    expect(maxOverlap(sim.attempts.filter((a) => `${a.pass}:${a.lane}` === lane))).toBeLessThanOrEqual(1);
  }
  if (!o.change) {
    expect(sim.maxInFlight).toBeLessThanOrEqual(c);
    expect(maxOverlap(pass0)).toBeLessThanOrEqual(c);
  } else {
    const { at, to, unstarted } = o.change;
    expect(sim.maxInFlight).toBeLessThanOrEqual(Math.max(c, to));
    const after = pass0.filter((a) => a.start > at + SLACK_MS);
    expect(maxOverlap(after.filter((a) => Number(a.lane.slice(1)) < to))).toBeLessThanOrEqual(to);
    for (let lane = to; lane < Math.max(c, to); lane++) {
      const rowsRun = new Set(after.filter((a) => Number(a.lane.slice(1)) === lane).map((a) => a.rowIndex));
      expect(rowsRun.size).toBeLessThanOrEqual(1);
    }
    if (to > c && unstarted >= 4 * to) expect(after.some((a) => Number(a.lane.slice(1)) >= c)).toBe(true);
  }
  if (o.cancelAt !== undefined) {
    expect(pass0.filter((a) => a.start > (o.cancelAt as number) + SLACK_MS)).toHaveLength(0);
  }
  // No row starts while paused (the slack covers a delivery that read the job just before the pause).
  for (const [from, to] of o.pauses) {
    expect(sim.attempts.filter((a) => a.start > from + SLACK_MS && a.start < to)).toEqual([]);
  }
}

/** A cancelled job resumed: a new pass runs exactly the rows that never ran, then ends terminal. */
async function checkResumeCancelled(o: Outcome, before: RowResult[]): Promise<void> {
  const { sim, job } = o;
  const ran = new Set(before.map((r) => r.rowIndex));
  const pass = job.pass + 1;
  sim.queue.crashesEnabled = false;
  if (ran.size === o.rows) {
    // The cancel came when the last rows were already running: nothing is left to resume.
    await expect(sim.drive(sim.handlers.resumeJob(owner, job.id))).rejects.toMatchObject({ code: "failed_precondition" });
    sim.queue.crashesEnabled = true;
    return;
  }
  const resumed = await sim.drive(sim.handlers.resumeJob(owner, job.id));
  sim.queue.crashesEnabled = true;
  expect(resumed).toMatchObject({ status: "processing", pass, passRows: o.rows - ran.size, skippedRows: 0 });
  const finishedBefore = sim.finished.length;
  sim.startReconciler(() => sim.finished.length > finishedBefore, sim.clock.now() + 24 * 3_600_000);
  await sim.run();
  const final = await sim.drive(sim.handlers.getJob(owner, job.id));
  const after = await results(sim, job.id);
  expect(["completed", "failed"]).toContain(final.status);
  expect(sim.terminalWrites.filter((f) => f.jobId === job.id).map((f) => f.status)).toEqual(["cancelled", final.status]);
  expect(after).toHaveLength(o.rows);
  expect(final.completedRows).toBe(after.filter((r) => r.status === "succeeded").length);
  expect(final.failedRows).toBe(after.filter((r) => r.status === "failed").length);
  const rerun = new Set(sim.attempts.filter((a) => a.pass === pass).map((a) => a.rowIndex));
  expect([...rerun].filter((r) => ran.has(r))).toEqual([]);
  for (const r of after) expect(r.pass).toBe(ran.has(r.rowIndex) ? job.pass : pass);
  expect([...sim.counted.values()].every((n) => n === 1)).toBe(true);
}

/** Attempts stay within the budget, and a provider's delay is honoured before the next attempt. */
function checkAttempts(o: Outcome): void {
  const byAttempt = new Map(o.sim.attempts.map((a) => [`${a.jobId}:${a.pass}:${a.rowIndex}:${a.attempt}`, a]));
  for (const a of o.sim.attempts) {
    expect(a.attempt).toBeLessThan(DEFAULT_RETRY.maxAttempts);
    if (a.status !== "failed" || a.retryAfterMs === undefined) continue;
    const next = byAttempt.get(`${a.jobId}:${a.pass}:${a.rowIndex}:${a.attempt + 1}`);
    if (next) expect(next.start).toBeGreaterThanOrEqual(a.end + a.retryAfterMs);
  }
}

async function checkRetry(o: Outcome, before: RowResult[]): Promise<void> {
  const { sim, job } = o;
  const failedBefore = new Map(before.filter((r) => r.status === "failed").map((r) => [r.rowIndex, r]));
  sim.queue.crashesEnabled = false;
  const retried = await sim.drive(sim.handlers.retryFailed(owner, job.id));
  sim.queue.crashesEnabled = true;
  expect(retried.rows).toBe(failedBefore.size);
  sim.startReconciler(() => sim.finished.length > 1, sim.clock.now() + 24 * 3_600_000);
  await sim.run();
  const after = await results(sim, job.id);
  const final = await sim.drive(sim.handlers.getJob(owner, job.id));
  expect(sim.finished.filter((f) => f.jobId === job.id)).toHaveLength(2);
  expect(sim.terminalWrites.filter((f) => f.jobId === job.id)).toHaveLength(2);
  expect(after).toHaveLength(o.rows);
  expect(final.completedRows).toBe(after.filter((r) => r.status === "succeeded").length);
  expect(final.failedRows).toBe(after.filter((r) => r.status === "failed").length);
  const rerun = new Set(sim.attempts.filter((a) => a.pass === 1).map((a) => a.rowIndex));
  for (const row of rerun) expect(failedBefore.has(row)).toBe(true);
  for (const r of after) {
    const old = failedBefore.get(r.rowIndex);
    if (!old) {
      expect(r.pass).toBe(0);
      continue;
    }
    expect(r.pass).toBe(1);
    // A node that had succeeded is not run again: it is resumed from the saved outputs.
    if (old.trace.draft?.status === "succeeded" || old.trace.draft?.status === "resumed") expect(r.trace.draft?.status).toBe("resumed");
  }
}

/** TWO_STEP_FLOW with `polish` edited: a re-run must run `polish` again and keep `draft`. */
const EDITED_FLOW = {
  ...TWO_STEP_FLOW,
  nodes: TWO_STEP_FLOW.nodes.map((n) => (n.id === "polish" ? { ...n, data: { prompt: "Polish again {{draft}} {{note}}" } } : n)),
};

async function checkRerun(o: Outcome, seed: number): Promise<void> {
  const { sim } = o;
  const job = await sim.drive(sim.handlers.getJob(owner, o.job.id));
  const before = new Map((await results(sim, job.id)).map((r) => [r.rowIndex, r]));
  const rng = new Rng(seed * 104_729);
  const listed = Array.from({ length: rng.int(1, o.rows) }, () => rng.int(0, o.rows - 1));
  const selection = seed % 10 === 2 ? ("all" as const) : listed;
  const chosen = new Set(selection === "all" ? [...before.keys()] : listed);
  const pass = job.pass + 1;
  const finishedBefore = sim.finished.length;
  sim.queue.crashesEnabled = false;
  const out = await sim.drive(sim.handlers.rerunRows(owner, job.id, { rows: selection, flow: EDITED_FLOW }));
  sim.queue.crashesEnabled = true;
  expect(out.rows).toBe(chosen.size);
  sim.startReconciler(() => sim.finished.length > finishedBefore, sim.clock.now() + 24 * 3_600_000);
  await sim.run();
  const final = await sim.drive(sim.handlers.getJob(owner, job.id));
  const after = await results(sim, job.id);
  expect(["completed", "failed"]).toContain(final.status);
  expect(final).toMatchObject({ pass, flowPass: pass });
  expect(sim.terminalWrites.filter((f) => f.jobId === job.id)).toHaveLength(pass + 1);
  expect(after).toHaveLength(o.rows);
  expect(final.completedRows).toBe(after.filter((r) => r.status === "succeeded").length);
  expect(final.failedRows).toBe(after.filter((r) => r.status === "failed").length);
  expect([...sim.counted.values()].every((n) => n === 1)).toBe(true);
  for (const row of sim.attempts.filter((a) => a.pass === pass).map((a) => a.rowIndex)) expect(chosen.has(row)).toBe(true);
  for (const r of after) {
    const old = before.get(r.rowIndex);
    if (!chosen.has(r.rowIndex)) {
      expect(r.pass).toBe(old?.pass);
      continue;
    }
    expect(r.pass).toBe(pass);
    // The unchanged node keeps its output; the edited one runs (or is skipped after a failure).
    if (old?.nodeOutputs.draft) expect(r.trace.draft?.status).toBe("resumed");
    expect(r.trace.polish?.status).not.toBe("resumed");
  }
}

/** Every stored lane's query flags agree with its range and position (idle lanes find work by them). */
async function checkLaneFlags(o: Outcome): Promise<void> {
  const lanes = (await o.sim.store.inner.query(lanesPath(o.job.id))).map((d) => Lane.parse(d.data));
  expect(lanes.length).toBeGreaterThan(0);
  for (const l of lanes) expect({ lane: l.index, open: l.open, busy: l.busy }).toEqual({ lane: l.index, open: l.next < l.end, busy: l.current !== null });
}

const coverage = {
  groups: 0,
  reruns: 0,
  rerunAll: 0,
  budgets: 0,
  paused: 0,
  resumedCancels: 0,
  retried: 0,
  cancelled: 0,
  changed: 0,
  crashes: 0,
  duplicates: 0,
  lost: 0,
  delayed: 0,
};

describe("batch invariants over seeded simulations with faults", () => {
  const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
  const groups = Array.from({ length: 8 }, (_, g) => seeds.filter((s) => s % 8 === g));
  test.each(groups.map((g, i) => [i, g] as const))(
    "seed group %i",
    async (_i, group) => {
      for (const seed of group) {
        const o = await runSeed(seed);
        try {
          const res = await results(o.sim, o.job.id);
          checkPassZero(o, res);
          await checkLaneFlags(o);
          await checkOwnerSet(o);
          checkDispatch(o);
          checkAttempts(o);
          if (o.job.status !== "cancelled" && o.job.failedRows > 0 && (o.mode === "retry" || o.mode === "plain")) {
            await checkRetry(o, res);
            await checkLaneFlags(o);
            await checkOwnerSet(o);
            coverage.retried += 1;
          }
          if (seed % 5 === 2 && o.mode !== "cancel" && (await o.sim.drive(o.sim.handlers.getJob(owner, o.job.id))).status !== "cancelled") {
            await checkRerun(o, seed);
            if (seed % 10 === 2) coverage.rerunAll += 1;
            await checkLaneFlags(o);
            await checkOwnerSet(o);
            coverage.reruns += 1;
          }
          if (o.job.status === "cancelled" && o.resumeCancelled) {
            await checkResumeCancelled(o, res);
            await checkOwnerSet(o);
            coverage.resumedCancels += 1;
          }
          if (o.pauses.length > 0) coverage.paused += 1;
          if (o.budget) coverage.budgets += 1;
          if (o.job.status === "cancelled") coverage.cancelled += 1;
          if (o.change) coverage.changed += 1;
          if (o.sim.groupCommits > 0) coverage.groups += 1;
          coverage.crashes += o.sim.queue.stats.crashes;
          coverage.duplicates += o.sim.queue.stats.duplicates;
          coverage.lost += o.sim.queue.stats.lost;
          coverage.delayed += o.sim.queue.stats.delayed;
        } catch (err) {
          throw new Error(`seed ${seed} (${o.mode}, rows ${o.rows}, C ${o.c}): ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      // A group runs 30 seeds of virtual time; on a shared 2-core machine that can take minutes.
    },
    240_000,
  );

  test("the seeds exercised every path (retries, cancels, concurrency changes, crashes, duplicates, delayed re-enqueues, pauses, resumed cancels, group commits)", () => {
    expect(coverage.retried).toBeGreaterThanOrEqual(SEEDS / 6);
    expect(coverage.cancelled).toBeGreaterThanOrEqual(SEEDS / 8);
    expect(coverage.changed).toBeGreaterThanOrEqual(SEEDS / 8);
    expect(coverage.crashes).toBeGreaterThan(100);
    expect(coverage.duplicates).toBeGreaterThan(100);
    expect(coverage.lost).toBeGreaterThan(20);
    expect(coverage.delayed).toBeGreaterThan(100);
    expect(coverage.paused).toBeGreaterThanOrEqual(SEEDS / 5);
    expect(coverage.resumedCancels).toBeGreaterThanOrEqual(SEEDS / 20);
    expect(coverage.budgets).toBeGreaterThanOrEqual(SEEDS / 25);
    expect(coverage.groups).toBeGreaterThanOrEqual(SEEDS / 6);
    expect(coverage.reruns).toBeGreaterThanOrEqual(SEEDS / 8);
    expect(coverage.rerunAll).toBeGreaterThanOrEqual(SEEDS / 20);
  });
});

/**
 * rerunRows (tasks delivered by hand): which rows a re-run covers, an edited flow re-running only
 * its changed nodes and their dependents (counted AI calls), exact counts, per-pass flow snapshots,
 * and the refusals, which write nothing.
 */
import { makeHarness, ctxFor, type Harness } from "./support/batch-harness";
import { CountingAi } from "./support/counting-ai";
import { input, output, rawFlow, text } from "./support/flows";

const owner = { ownerId: "u1" };
const COLUMNS = ["topic", "note"];

/**
 *   topic ──▶ draft ──▶ polish ──▶ result
 *   note  ─────────────▲
 *   topic ──▶ tagline ──────────▶ tag
 * A `[[fail]]` note fails only `polish`, every time.
 */
const flow = (polishPrompt = "Polish {{draft}} {{note}}", extra: { nodes: ReturnType<typeof text>[]; spec: string } = { nodes: [], spec: "" }) =>
  rawFlow(
    [
      input("topic"),
      input("note"),
      text("draft", "Draft about {{topic}}"),
      text("polish", polishPrompt),
      text("tagline", "Tagline for {{topic}}"),
      output("result", "result"),
      output("tag", "tag"),
      ...extra.nodes,
    ],
    `topic>draft draft>polish note>polish polish>result topic>tagline tagline>tag ${extra.spec}`,
  );

async function finishedJob(h: Harness, n: number, note: (i: number) => string = () => "fine") {
  const rows = Array.from({ length: n }, (_, i) => ({ topic: `topic ${i}`, note: note(i) }));
  const job = await h.handlers.createJob({ ownerId: owner.ownerId, flow: flow(), columns: COLUMNS, rows, concurrency: 2, start: true });
  await h.drain();
  return job;
}

async function allResults(h: Harness, jobId: string) {
  return (await h.handlers.listResults(owner, jobId, { limit: 100 })).results;
}

describe("rerunRows", () => {
  test("failed rows with an edited prompt: only the changed node runs again, the AI call count shows it", async () => {
    const ai = new CountingAi();
    const h = makeHarness({ ai });
    const failing = new Set([1, 4, 5]);
    const job = await finishedJob(h, 8, (i) => (failing.has(i) ? "[[fail]]" : "fine"));
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 5, failedRows: 3 });
    const before = ai.generations;

    const out = await h.handlers.rerunRows(owner, job.id, { rows: "failed", flow: flow("Polish {{draft}}") });
    expect(out).toMatchObject({ rows: 3, job: { status: "processing", pass: 1, failedRows: 0, completedRows: 5, flowPass: 1 } });
    await h.drain();

    // One call per re-run row: `polish` (its prompt changed); `draft` and `tagline` kept their outputs.
    expect(ai.generations - before).toBe(3);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 8, failedRows: 0, pass: 1 });
    for (const r of await allResults(h, job.id)) {
      expect(r.status).toBe("succeeded");
      if (!failing.has(r.rowIndex)) expect(r.pass).toBe(0);
      else expect(r).toMatchObject({ pass: 1, trace: { draft: { status: "resumed" }, tagline: { status: "resumed" }, polish: { status: "succeeded" } } });
    }
  });

  test("retryFailed keeps what had completed and runs the failed node again (no flow change, no snapshot)", async () => {
    const ai = new CountingAi();
    const h = makeHarness({ ai });
    const job = await finishedJob(h, 4, (i) => (i === 2 ? "[[fail-first]]" : "fine"));
    const before = ai.generations;
    await expect(h.handlers.retryFailed(owner, job.id)).resolves.toMatchObject({ rows: 1 });
    await h.drain();
    expect(ai.generations - before).toBe(1);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 4, failedRows: 0 });
    expect(await h.store.get(`batch_jobs/${job.id}/flows/000000`)).toBeNull();
  });

  test("all rows with a flow that adds an output: new columns, exact counts, each pass's flow kept", async () => {
    const ai = new CountingAi();
    const h = makeHarness({ ai });
    const job = await finishedJob(h, 6);
    const before = ai.generations;
    //   draft ──▶ summary ──▶ sum    (new)
    const edited = flow(undefined, { nodes: [text("summary", "Summarize {{draft}}"), output("sum", "summary")], spec: "draft>summary summary>sum" });
    await expect(h.handlers.rerunRows(owner, job.id, { rows: "all", flow: edited })).resolves.toMatchObject({
      rows: 6,
      job: { completedRows: 0, failedRows: 0 },
    });
    await h.drain();
    expect(ai.generations - before).toBe(6);
    const done = await h.handlers.getJob(owner, job.id);
    expect(done).toMatchObject({
      status: "completed",
      completedRows: 6,
      failedRows: 0,
      skippedRows: 0,
      outputColumns: ["result", "tag", "summary"],
      flowPass: 1,
    });
    const results = await allResults(h, job.id);
    expect(results).toHaveLength(6);
    for (const r of results) expect(Object.keys(r.outputs).sort()).toEqual(["result", "summary", "tag"]);
    const snap0 = await h.store.get(`batch_jobs/${job.id}/flows/000000`);
    const snap1 = await h.store.get(`batch_jobs/${job.id}/flows/000001`);
    expect((snap0?.data as { outputColumns: string[] }).outputColumns).toEqual(["result", "tag"]);
    expect((snap1?.data as { flowConfig: { nodes: { id: string }[] } }).flowConfig.nodes.map((n) => n.id)).toContain("summary");
  });

  test("a list of rows with the same flow re-runs those rows and calls nothing", async () => {
    const ai = new CountingAi();
    const h = makeHarness({ ai });
    const job = await finishedJob(h, 5);
    const before = ai.generations;
    await expect(h.handlers.rerunRows(owner, job.id, { rows: [3, 1, 3] })).resolves.toMatchObject({ rows: 2, job: { completedRows: 3 } });
    await h.drain();
    expect(ai.generations - before).toBe(0);
    expect(
      h.started
        .filter((s) => s.pass === 1)
        .map((s) => s.rowIndex)
        .sort(),
    ).toEqual([1, 3]);
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 5, pass: 1 });
    const passes = (await allResults(h, job.id)).map((r) => r.pass);
    expect(passes).toEqual([0, 1, 0, 1, 0]);
  });

  test("a cancelled job: failed rows re-run, never-run rows stay skipped and the job stays cancelled; not-run then finishes it", async () => {
    // One row per delivery (no lane groups), so two deliveries run exactly rows 0 and 1 before the cancel.
    const h = makeHarness({ limits: { groupTargetMs: 0 } });
    const rows = Array.from({ length: 10 }, (_, i) => ({ topic: `t${i}`, note: i === 0 ? "[[fail-first]]" : "ok" }));
    const job = await h.handlers.createJob({ ownerId: owner.ownerId, flow: flow(), columns: COLUMNS, rows, concurrency: 1, start: true });
    for (let i = 0; i < 2; i++) {
      const t = h.queue.take();
      if (!t) throw new Error("no task");
      await h.handlers.runRowTask(t.payload, ctxFor(t.id));
    }
    await h.handlers.cancelJob(owner, job.id);
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "cancelled", completedRows: 1, failedRows: 1, skippedRows: 8 });

    await h.handlers.rerunRows(owner, job.id, { rows: "failed" });
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "cancelled", completedRows: 2, failedRows: 0, skippedRows: 8, pass: 1 });

    await expect(h.handlers.rerunRows(owner, job.id, { rows: "not-run" })).resolves.toMatchObject({ rows: 8, job: { skippedRows: 0 } });
    await h.drain();
    expect(await h.handlers.getJob(owner, job.id)).toMatchObject({ status: "completed", completedRows: 10, failedRows: 0, skippedRows: 0, pass: 2 });
  });

  test("refusals name the problem and write nothing", async () => {
    const h = makeHarness();
    const job = await finishedJob(h, 3);
    const writes = h.store.stats.writes;
    const badFlow = rawFlow([input("x", "missing"), output("o", "o")], "x>o");
    await expect(h.handlers.rerunRows(owner, job.id, { rows: "all", flow: badFlow })).rejects.toMatchObject({
      code: "invalid_flow",
      details: expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^flow\./) })]),
    });
    await expect(h.handlers.rerunRows(owner, job.id, { rows: [0, 7] })).rejects.toMatchObject({
      code: "invalid_input",
      details: [{ path: "rows[1]", message: expect.stringContaining("row 7") }],
    });
    await expect(h.handlers.rerunRows(owner, job.id, { rows: "some" })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(h.handlers.rerunRows(owner, job.id, { rows: "failed" })).rejects.toMatchObject({ code: "failed_precondition" });
    await expect(h.handlers.rerunRows({ ownerId: "other" }, job.id, { rows: "all" })).rejects.toMatchObject({ code: "not_found" });
    expect(h.store.stats.writes).toBe(writes);

    const running = await h.handlers.createJob({ ownerId: owner.ownerId, flow: flow(), columns: COLUMNS, rows: [{ topic: "a", note: "" }], start: true });
    await expect(h.handlers.rerunRows(owner, running.id, { rows: "all" })).rejects.toMatchObject({ code: "failed_precondition" });
  });
});

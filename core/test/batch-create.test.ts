/** createJob: every kind of bad input is rejected with details naming the field or row, and writes nothing. */
import { ValidationError, PermanentError } from "../src/errors";
import { DEFAULT_LIMITS } from "../src/batch/limits";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";

const good = () => ({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(3), concurrency: 2 });

type Case = [name: string, patch: Record<string, unknown>, code: string, path: RegExp];
const cases: Case[] = [
  ["flow references an unknown column", { columns: ["topic"], rows: [{ topic: "a" }] }, "invalid_flow", /^flow\./],
  ["flow is not an object", { flow: 42 }, "invalid_flow", /flow/],
  [
    "flow has a node without a prompt",
    { flow: { ...TWO_STEP_FLOW, nodes: [...TWO_STEP_FLOW.nodes.slice(0, 2), { id: "draft", type: "text", data: {} }, ...TWO_STEP_FLOW.nodes.slice(3)] } },
    "invalid_flow",
    /nodes\[2\]/,
  ],
  [
    "more nodes than the limit",
    {
      flow: {
        nodes: [...TWO_STEP_FLOW.nodes, ...Array.from({ length: 50 }, (_, i) => ({ id: `o${i}`, type: "output", data: { name: `o${i}` } }))],
        edges: TWO_STEP_FLOW.edges,
      },
    },
    "invalid_flow",
    /^flow\.nodes$/,
  ],
  ["concurrency above the limit", { concurrency: 51 }, "invalid_input", /^concurrency$/],
  ["concurrency zero", { concurrency: 0 }, "invalid_input", /^concurrency$/],
  ["no rows", { rows: [] }, "invalid_input", /^rows$/],
  ["too many rows", { rows: rowsOf(DEFAULT_LIMITS.maxRows + 1) }, "invalid_input", /^rows$/],
  ["a cell that is too big", { rows: [...rowsOf(2), { topic: "x".repeat(DEFAULT_LIMITS.maxCellBytes + 1), note: "" }] }, "invalid_input", /^rows\[2\]\.topic$/],
  ["a cell in an unknown column", { rows: [{ topic: "a", note: "", extra: "?" }] }, "invalid_input", /^rows\[0\]\.extra$/],
  ["a non-string cell", { rows: [{ topic: 5, note: "" }] }, "invalid_input", /^rows\[0\]\.topic$/],
  ["duplicate columns", { columns: ["topic", "note", "topic"] }, "invalid_input", /^columns\[2\]$/],
  ["too many columns", { columns: [...COLUMNS, ...Array.from({ length: 100 }, (_, i) => `c${i}`)] }, "invalid_input", /^columns$/],
  ["missing owner", { ownerId: "" }, "invalid_input", /ownerId/],
];

describe("createJob validation", () => {
  test.each(cases)("%s: rejected with details, nothing written", async (_name, patch, code, path) => {
    const h = makeHarness();
    const input = { ...good(), ...patch } as Parameters<typeof h.handlers.createJob>[0];
    const err = await h.handlers.createJob(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.code).toBe(code);
    expect(v.details?.some((d) => path.test(d.path))).toBe(true);
    expect(h.store.writeLog).toHaveLength(0);
    expect(h.queue.all.size).toBe(0);
  });

  test("the per-owner active job limit is enforced before anything is written", async () => {
    const h = makeHarness({ limits: { maxActiveJobsPerOwner: 2 } });
    await h.handlers.createJob(good());
    await h.handlers.createJob(good());
    const writes = h.store.writeLog.length;
    const err = await h.handlers.createJob(good()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe("limit_exceeded");
    expect(h.store.writeLog).toHaveLength(writes);
    // another owner is not affected
    await expect(h.handlers.createJob({ ...good(), ownerId: "u2" })).resolves.toMatchObject({ status: "pending" });
  });

  test("input rows are written in chunks BEFORE the job document", async () => {
    const h = makeHarness();
    const job = await h.handlers.createJob({ ...good(), rows: rowsOf(450) });
    const paths = h.store.writeLog.map((w) => w.path);
    const jobIdx = paths.indexOf(`batch_jobs/${job.id}`);
    const chunkIdx = paths.map((p, i) => (p.includes("/rows/") ? i : -1)).filter((i) => i >= 0);
    expect(chunkIdx).toHaveLength(3); // 200 + 200 + 50
    expect(Math.max(...chunkIdx)).toBeLessThan(jobIdx);
    expect(job).toMatchObject({ status: "pending", totalRows: 450, completedRows: 0, concurrency: 2, outputColumns: ["result"] });
  });

  test("start=true starts at once with min(concurrency, rows) lanes", async () => {
    const h = makeHarness();
    const job = await h.handlers.createJob({ ...good(), rows: rowsOf(1), concurrency: 5, start: true });
    expect(job.status).toBe("processing");
    expect(h.queue.all.size).toBe(1);
  });
});

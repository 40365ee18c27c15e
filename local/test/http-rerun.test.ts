/**
 * `POST /api/batches/:id/rerun` over a real server on a loopback port: failed rows re-run with an
 * edited prompt call the provider only for the changed node (counted), the job takes the new
 * flow's output columns, and bad requests answer 400/409/404 with details and change nothing.
 */
import { CountingAi } from "../../core/test/support/counting-ai";
import { input, output, rawFlow, text } from "../../core/test/support/flows";
import { waitForBatchEnd } from "./support/http-client";
import { useTestServer } from "./support/test-server";

const ai = new CountingAi();
const srv = useTestServer({ ai });
const api = srv.api;

//   topic ─┬─▶ write ──▶ out "line"        (write also reads note: a [[fail]] note fails only write)
//   note  ─┘
//   topic ───▶ tag ────▶ tagOut "tag"
const flowWith = (writePrompt: string) =>
  rawFlow(
    [input("topic"), input("note"), text("write", writePrompt), text("tag", "Tag {{topic}}"), output("out", "line"), output("tagOut", "tag")],
    "topic>write note>write write>out topic>tag tag>tagOut",
  );
const CSV = "topic,note\nalpha,ok\nbeta,[[fail]]\ngamma,ok\ndelta,[[fail]]\n";

async function finishedBatch(): Promise<string> {
  const created = await api("POST", "/api/batches", { flow: flowWith("Write {{topic}} {{note}}"), csv: CSV, concurrency: 2, start: true });
  expect(created.status).toBe(201);
  const id: string = created.json.job.id;
  expect((await waitForBatchEnd(srv.port, id)).json.job).toMatchObject({ status: "completed", completedRows: 2, failedRows: 2 });
  return id;
}

describe("POST /api/batches/:id/rerun", () => {
  it("re-runs the failed rows with an edited prompt: only that node calls the provider again", async () => {
    const id = await finishedBatch();
    const before = ai.generations;
    const rerun = await api("POST", `/api/batches/${id}/rerun`, { rows: "failed", flow: flowWith("Rewrite {{topic}}") });
    expect(rerun.status).toBe(200);
    expect(rerun.json).toMatchObject({ rows: 2, job: { status: "processing", pass: 1, flowPass: 1 } });
    const done = (await waitForBatchEnd(srv.port, id)).json.job;
    expect(done).toMatchObject({ status: "completed", completedRows: 4, failedRows: 0 });
    expect(ai.generations - before).toBe(2);
    const results = (await api("GET", `/api/batches/${id}/results`)).json.results;
    expect(results[1]).toMatchObject({ pass: 1, status: "succeeded", trace: { tag: { status: "resumed" }, write: { status: "succeeded" } } });
    expect(results[0]).toMatchObject({ pass: 0 });
  });

  it("re-runs listed rows with the same flow without calling the provider", async () => {
    const id = await finishedBatch();
    const before = ai.generations;
    const rerun = await api("POST", `/api/batches/${id}/rerun`, { rows: [0, 2] });
    expect(rerun.json).toMatchObject({ rows: 2 });
    expect((await waitForBatchEnd(srv.port, id)).json.job).toMatchObject({ status: "completed", completedRows: 2, failedRows: 2, pass: 1 });
    expect(ai.generations - before).toBe(0);
  });

  it.each<[string, number, string, unknown]>([
    ["an unknown selection", 400, "rows", { rows: "some" }],
    ["a row outside the batch", 400, "rows[0]", { rows: [9] }],
    ["a flow reading a missing column", 400, "flow", { rows: "all", flow: rawFlow([input("topic", "nope"), output("o", "o")], "topic>o") }],
    ["an unknown field", 400, "", { rows: "all", extra: 1 }],
  ])("%s → %d naming '%s', nothing changes", async (_label, status, path, body) => {
    const id = await finishedBatch();
    const res = await api("POST", `/api/batches/${id}/rerun`, body);
    expect(res.status).toBe(status);
    if (path) expect(JSON.stringify(res.json.error.details)).toContain(`"path":"${path}`);
    expect((await api("GET", `/api/batches/${id}`)).json.job).toMatchObject({ status: "completed", pass: 0 });
  });

  it("a batch with no failed rows → 409; an unknown batch → 404", async () => {
    const created = await api("POST", "/api/batches", { flow: flowWith("Write {{topic}}"), csv: "topic,note\na,ok\n", start: true });
    const id: string = created.json.job.id;
    await waitForBatchEnd(srv.port, id);
    expect((await api("POST", `/api/batches/${id}/rerun`, { rows: "failed" })).status).toBe(409);
    expect((await api("POST", "/api/batches/nope/rerun", { rows: "all" })).status).toBe(404);
  });
});

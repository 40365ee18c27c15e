/* eslint-disable @typescript-eslint/no-unsafe-return -- JSON replies are checked by the assertions */
/**
 * Pause and resume over a real server on a loopback port: the paused status (reason, time) in the
 * API and on the SSE stream, the row in flight counted, resume (with the optional budget) running
 * the rows left, a cancelled batch resuming its never-run rows, and the refusals.
 */
import { waitFor } from "@flowcraft/core/testing";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { openSse, waitForBatchEnd } from "./support/http-client";
import { useTestServer } from "./support/test-server";

const srv = useTestServer();
const api = srv.api;

async function jobOf(id: string): Promise<Record<string, unknown>> {
  return (await api("GET", `/api/batches/${id}`)).json.job;
}

describe("pause and resume", () => {
  it("pauses a running batch (SSE shows it), counts the row in flight, and resumes with the rows left", async () => {
    const topics = Array.from({ length: 5 }, (_, i) => `[[slow:300]] row ${i}`);
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 1, start: true });
    const id: string = created.json.job.id;
    const sse = await openSse(srv.port, `/api/batches/${id}/events`);
    const pause = await api("POST", `/api/batches/${id}/pause`);
    expect(pause.status).toBe(200);
    expect(pause.json.job).toMatchObject({ status: "paused", pausedReason: "user", pauseDetail: null });
    expect(typeof pause.json.job.pausedAt).toBe("number");
    expect((await api("POST", `/api/batches/${id}/pause`)).json.job.pausedAt).toBe(pause.json.job.pausedAt);
    // the row in flight finishes and is counted; nothing else starts
    await waitFor(
      () => sse.events.some((e) => e.event === "job" && JSON.parse(e.data).status === "paused" && JSON.parse(e.data).completedRows === 1),
      "a paused job event with the row in flight counted",
    );
    expect(await jobOf(id)).toMatchObject({ status: "paused", completedRows: 1 });
    expect((await api("GET", `/api/batches/${id}/results`)).json.results).toHaveLength(1);

    const bad = await api("POST", `/api/batches/${id}/resume`, { budgetUsd: -1 });
    expect(bad.status).toBe(400);
    const resume = await api("POST", `/api/batches/${id}/resume`, { budgetUsd: 2.5 });
    expect(resume.status).toBe(200);
    expect(resume.json.job).toMatchObject({ status: "processing", pausedReason: null, pausedAt: null });
    const done = (await waitForBatchEnd(srv.port, id)).json.job;
    expect(done).toMatchObject({ status: "completed", completedRows: 5, failedRows: 0 });
    sse.close();
  });

  it("resumes a cancelled batch: only the rows that never ran run, as a new pass", async () => {
    const topics = Array.from({ length: 4 }, (_, i) => `[[slow:200]] row ${i}`);
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 1, start: true });
    const id: string = created.json.job.id;
    await api("POST", `/api/batches/${id}/cancel`);
    const cancelled = (await waitForBatchEnd(srv.port, id)).json.job;
    expect(cancelled.status).toBe("cancelled");
    const ran = cancelled.completedRows;
    const resume = await api("POST", `/api/batches/${id}/resume`);
    expect(resume.json.job).toMatchObject({ status: "processing", pass: 1, passRows: 4 - ran });
    expect((await waitForBatchEnd(srv.port, id)).json.job).toMatchObject({ status: "completed", completedRows: 4, skippedRows: 0 });
  });

  it("refuses to pause a finished batch (409) and answers 404 for an unknown one", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a"]), start: true });
    const id: string = created.json.job.id;
    await waitForBatchEnd(srv.port, id);
    const pause = await api("POST", `/api/batches/${id}/pause`);
    expect(pause.status).toBe(409);
    expect(pause.json.error.message).toContain("nothing to pause");
    expect((await api("POST", "/api/batches/nope/resume")).status).toBe(404);
  });
});

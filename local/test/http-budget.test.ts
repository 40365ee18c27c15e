/**
 * The budget cap over a real loopback server: `budgetUsd` on create, the batch paused with reason
 * `budget` and its spend in the API, a resume without room refused (409), a resume with a raised
 * `budgetUsd` running the rows left to the end.
 */
import { TEXT_FLOW, csvOf } from "./support/flows";
import { waitForBatchEnd } from "./support/http-client";
import { useTestServer } from "./support/test-server";

const srv = useTestServer();
const api = srv.api;

interface JobView {
  status: string;
  pausedReason: string | null;
  budgetUsd: number | null;
  costUsd: number;
  completedRows: number;
}

const jobOf = async (id: string): Promise<JobView> => (await api("GET", `/api/batches/${id}`)).json.job as JobView;

async function untilPaused(id: string): Promise<JobView> {
  for (let i = 0; i < 400; i++) {
    const job = await jobOf(id);
    if (job.status === "paused") return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the batch did not pause");
}

describe("budget cap over HTTP", () => {
  it("pauses on the budget, refuses a resume without room, finishes after a raised budget", async () => {
    const topics = Array.from({ length: 12 }, (_, i) => `topic ${i}`);
    // One offline row on gemini-2.5-flash costs a few millionths of a dollar.
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 1, start: true, budgetUsd: 0.00001 });
    expect(created.status).toBe(201);
    const id = (created.json.job as { id: string }).id;
    expect((created.json.job as JobView).budgetUsd).toBe(0.00001);
    const paused = await untilPaused(id);
    expect(paused).toMatchObject({ pausedReason: "budget" });
    expect(paused.costUsd).toBeGreaterThan(0);
    expect(paused.completedRows).toBeLessThan(12);
    const refused = await api("POST", `/api/batches/${id}/resume`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain("budget");
    const resumed = await api("POST", `/api/batches/${id}/resume`, { budgetUsd: 1 });
    expect(resumed.status).toBe(200);
    const done = await waitForBatchEnd(srv.port, id);
    expect(done.json.job).toMatchObject({ status: "completed", completedRows: 12, budgetUsd: 1 });
  });

  it("refuses a budget that is not a positive number with 400", async () => {
    const bad = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a"]), budgetUsd: 0 });
    expect(bad.status).toBe(400);
  });
});

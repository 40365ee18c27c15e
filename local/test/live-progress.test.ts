/**
 * Live progress on the local host, over the real HTTP API and SSE: the job counters catch up with
 * the rows after the last result of a burst although no further result arrives (the trailing
 * roll-up through the durable queue), and rows waiting for a retry are listed on the job
 * (`retrying`) in the API and in the SSE job events.
 */
import { waitFor } from "@flowcraft/core/testing";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { openSse, request, type Reply } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({});
});
afterAll(async () => {
  await srv.close();
});

const api = (method: string, p: string, body?: unknown): Promise<Reply> => request(srv.port, method, p, body);

async function poll(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("live progress", () => {
  it("shows the rows of a finished burst while a slow row keeps the batch running, in the API and the SSE job events", async () => {
    const topics = ["a", "b", "c", "d", "[[slow:4000]] e"];
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 5 });
    const id: string = created.json.job.id;
    const sse = await openSse(srv.port, `/api/batches/${id}/events`);
    await api("POST", `/api/batches/${id}/run`);
    // The four fast rows finish within the first throttle window; nothing follows them for 4 s.
    await poll("the burst's four results", async () => (await api("GET", `/api/batches/${id}/results`)).json.results.length === 4);
    await poll("the job counters to catch up", async () => {
      const job = (await api("GET", `/api/batches/${id}`)).json.job;
      return job.status === "processing" && job.completedRows === 4;
    });
    const jobEvents = (): Array<{ status: string; completedRows: number }> =>
      sse.events.filter((e) => e.event === "job").map((e) => JSON.parse(e.data) as { status: string; completedRows: number });
    await waitFor(() => jobEvents().some((j) => j.status === "processing" && j.completedRows === 4), "an SSE job event with the burst counted");
    sse.close();
    await poll("the end", async () => (await api("GET", `/api/batches/${id}`)).json.job.status === "completed");
  });

  it("lists a rate-limited row on the job with its error, attempt and next try", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["fine", "[[rate-limit]] busy"]), concurrency: 2, start: true });
    const id: string = created.json.job.id;
    const sse = await openSse(srv.port, `/api/batches/${id}/events`);
    let wait: { rowIndex: number; attempt: number; nextAttemptAt: number | null; at: number; error: { code: string } } | undefined;
    await poll("the waiting row on the job", async () => {
      wait = (await api("GET", `/api/batches/${id}`)).json.job.retrying?.[0];
      return wait !== undefined;
    });
    expect(wait).toMatchObject({ rowIndex: 1, error: { code: "rate_limited", retryable: true } });
    expect(wait?.attempt).toBeGreaterThanOrEqual(1);
    expect(wait?.nextAttemptAt).toBeGreaterThan(wait?.at ?? Infinity);
    await waitFor(
      () => sse.events.some((e) => e.event === "job" && (JSON.parse(e.data) as { retrying?: unknown[] }).retrying?.length === 1),
      "an SSE job event listing it",
    );
    sse.close();
    await api("POST", `/api/batches/${id}/cancel`);
  });
});

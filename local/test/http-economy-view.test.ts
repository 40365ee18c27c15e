/**
 * The economy progress the driver writes on a job document (`job.economy`) reaches the web app
 * unchanged through every local read: `GET /api/batches/:id`, the batch list, and the SSE `job`
 * events (the first one on connect and the live ones after a change).
 */
import { waitFor } from "@flowcraft/core/testing";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { openSse, request } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

const T0 = 1_800_000_000_000;
const layer = (n: number, done: boolean) => ({
  layer: n,
  providerJobs: 2,
  requests: 40,
  states: done ? { succeeded: 2 } : { running: 1, pending: 1 },
  waitingSince: done ? null : T0 - 180_000,
  done,
});
const FIRST = { layers: [layer(0, false)], realtimeCostUsd: 0.001, updatedAt: T0 };
const LATER = { layers: [layer(0, true), layer(1, false)], realtimeCostUsd: 0.0025, updatedAt: T0 + 60_000 };

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());

const api = (method: string, path: string, body?: unknown) => request(srv.port, method, path, body);

describe("job.economy through the local API and SSE", () => {
  it("GET, the list and SSE job events carry economy as written", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a", "b"]), mode: "economy" });
    expect(created.status).toBe(201);
    const id = created.json.job.id as string;
    expect(created.json.job.economy).toBeUndefined();
    await srv.host.store.update(`batch_jobs/${id}`, { economy: FIRST });

    expect((await api("GET", `/api/batches/${id}`)).json.job.economy).toEqual(FIRST);
    const listed = ((await api("GET", "/api/batches")).json.jobs as Array<{ id: string; economy?: unknown }>).find((j) => j.id === id);
    expect(listed?.economy).toEqual(FIRST);

    const sse = await openSse(srv.port, `/api/batches/${id}/events`);
    try {
      await waitFor(() => sse.events.some((e) => e.event === "job"), "the first job event");
      expect(JSON.parse(sse.events.find((e) => e.event === "job")!.data).economy).toEqual(FIRST);
      // A later write by the driver (status unchanged) arrives as a live, throttled job event.
      await srv.host.store.update(`batch_jobs/${id}`, { economy: LATER });
      await waitFor(() => sse.events.filter((e) => e.event === "job").length >= 2, "the live job event");
      const jobs = sse.events.filter((e) => e.event === "job");
      expect(JSON.parse(jobs[jobs.length - 1]!.data).economy).toEqual(LATER);
    } finally {
      sse.close();
    }
  });
});

/**
 * POST /api/batches/estimate on a real loopback server: the create body's flow and rows (CSV text
 * or columns + rows), an estimate back, no job created and no generation call made; bad input 400.
 */
import { CountingAi } from "../../core/test/support/counting-ai";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { request, type Reply } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

const ai = new CountingAi();
let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ ai });
});
afterAll(async () => {
  await srv.close();
});

const api = (method: string, path: string, body?: unknown): Promise<Reply> => request(srv.port, method, path, body);

describe("POST /api/batches/estimate", () => {
  it("answers low/expected/high cost and time from CSV text, without creating a job or generating", async () => {
    const res = await api("POST", "/api/batches/estimate", { flow: TEXT_FLOW, csv: csvOf(["a", "b", "c"]), concurrency: 2 });
    expect(res.status).toBe(200);
    expect(res.json.estimate).toMatchObject({ rows: 3, calls: 3, sampled: false, tokenCounter: "provider" });
    const cost = res.json.estimate.costUsd as { low: number; expected: number; high: number };
    expect(cost.low).toBeLessThanOrEqual(cost.expected);
    expect(cost.expected).toBeLessThan(cost.high);
    expect(res.json.estimate.durationMs.expected).toBeGreaterThan(0);
    expect(ai.generations).toBe(0);
    expect(ai.counts).toBe(3);
    expect((await api("GET", "/api/batches")).json.jobs).toHaveLength(0);
  });

  it("takes columns + rows and a dry run, whose real calls it reports", async () => {
    const res = await api("POST", "/api/batches/estimate", { flow: TEXT_FLOW, columns: ["topic"], rows: [{ topic: "x" }, { topic: "y" }], dryRunRows: 1 });
    expect(res.status).toBe(200);
    expect(res.json.estimate.dryRun).toMatchObject({ rows: 1, failedRows: 0 });
    expect(ai.generations).toBe(1);
  });

  it("refuses a bad flow or body with 400 and details", async () => {
    const bad = await api("POST", "/api/batches/estimate", { flow: { nodes: [] }, columns: ["topic"], rows: [{ topic: "x" }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_flow");
    const both = await api("POST", "/api/batches/estimate", { flow: TEXT_FLOW, csv: "topic\na\n", columns: ["topic"], rows: [] });
    expect(both.status).toBe(400);
  });
});

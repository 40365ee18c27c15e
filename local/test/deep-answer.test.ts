/**
 * A model whose JSON answer is nested 1,001 levels deep (the real @google/genai SDK against the
 * fake Gemini server, on the real local host with SQLite): the node fails with `invalid_output`,
 * and the store stays readable: the batch list, new batches, results, exports and retry all work.
 */
import "../../core/test/support/jest-undici-shim";
import { GeminiAiService } from "@flowcraft/core";
import { FakeGeminiServer } from "../../core/test/support/fake-gemini-server";
import { textResponse } from "../../core/test/support/gemini-responses";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { request, waitForBatchEnd, type Reply } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

// topic ──▶ meta (text, JSON) ──▶ out "meta"
const JSON_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "meta", type: "text", data: { model: "gemini-2.5-flash", prompt: "Describe {{topic}}", jsonSchema: { type: "object" } } },
    { id: "out", type: "output", data: { name: "meta" } },
  ],
  edges: [
    { source: "topic", target: "meta" },
    { source: "meta", target: "out" },
  ],
};

const deepJson = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

let fake: FakeGeminiServer;
let srv: TestServer;
beforeAll(async () => {
  fake = await FakeGeminiServer.start();
  const ai = new GeminiAiService({ apiKey: "AIzaSyFAKE-deep-answer-key-0000000000", baseUrl: fake.baseUrl });
  srv = await startTestServer({ ai });
});
afterAll(async () => {
  await srv.close();
  await fake.close();
});

const api = (method: string, path: string, body?: unknown): Promise<Reply> => request(srv.port, method, path, body);

const finished = (id: string): Promise<Reply> => waitForBatchEnd(srv.port, id);

test("a 1,001-level JSON answer fails its node with invalid_output and breaks nothing", async () => {
  fake.script(":generateContent", textResponse(deepJson(1001)));
  const created = await api("POST", "/api/batches", { flow: JSON_FLOW, csv: csvOf(["a", "b"]), start: true });
  expect(created.status).toBe(201);
  const id: string = created.json.job.id;
  expect((await finished(id)).json.job).toMatchObject({ failedRows: 2 });

  const results = await api("GET", `/api/batches/${id}/results`);
  expect(results.status).toBe(200);
  for (const r of results.json.results) {
    expect(r.error).toMatchObject({ code: "invalid_output", nodeId: "meta", retryable: false });
    expect(r.trace.meta.error.message).toMatch(/cannot be stored .*more than 16 levels/);
  }
  expect((await api("GET", "/api/batches")).status).toBe(200);
  expect((await api("GET", `/api/batches/${id}/export.csv`)).text).toContain("cannot be stored");
  expect((await api("GET", `/api/batches/${id}/export.jsonl`)).status).toBe(200);
  expect((await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["c"]) })).status).toBe(201);

  // A flatter answer on retry succeeds.
  fake.reset();
  fake.script(":generateContent", textResponse(deepJson(3)));
  expect((await api("POST", `/api/batches/${id}/retry-failed`)).json.rows).toBe(2);
  expect((await finished(id)).json.job).toMatchObject({ status: "completed", completedRows: 2, failedRows: 0 });
});

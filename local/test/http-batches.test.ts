/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- JSON replies are checked by the assertions */
/**
 * The batch routes over a real server on a loopback port: create from CSV text or rows, run,
 * results paging, exports while running and after, cancel, retry of failed rows, concurrency
 * changes; bad input answers 400 with field/row details and writes nothing; unknown ids 404;
 * oversized bodies 413.
 */
import { TEXT_FLOW, csvOf } from "./support/flows";
import { request, waitForBatchEnd, type Reply } from "./support/http-client";
import { useTestServer } from "./support/test-server";

const srv = useTestServer();
const api = srv.api;

const finished = (id: string): Promise<Reply> => waitForBatchEnd(srv.port, id);

async function jobCount(): Promise<number> {
  return (await api("GET", "/api/batches")).json.jobs.length;
}

describe("creating and running batches", () => {
  it("creates from CSV text, runs, pages results in row order and exports CSV and JSONL", async () => {
    const topics = Array.from({ length: 7 }, (_, i) => `topic ${i}`);
    const created = await api("POST", "/api/batches", { name: "Seven", flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 3, start: true });
    expect(created.status).toBe(201);
    expect(created.json.job).toMatchObject({ name: "Seven", totalRows: 7, concurrency: 3 });
    const id: string = created.json.job.id;
    const done = await finished(id);
    expect(done.json.job).toMatchObject({ status: "completed", completedRows: 7, failedRows: 0 });

    const page1 = await api("GET", `/api/batches/${id}/results?limit=4`);
    expect(page1.status).toBe(200);
    const page2 = await api("GET", `/api/batches/${id}/results?limit=4&cursor=${encodeURIComponent(page1.json.nextCursor)}`);
    const rows = [...page1.json.results, ...page2.json.results];
    expect(rows.map((r: { rowIndex: number }) => r.rowIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(page2.json.nextCursor).toBeNull();
    expect(rows.every((r: { status: string }) => r.status === "succeeded")).toBe(true);

    const csv = await api("GET", `/api/batches/${id}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.headers["content-disposition"]).toContain("attachment");
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe("topic,line,status,error,durationMs,inputTokens,outputTokens,totalTokens,costUsd");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(topics);
    const jsonl = await api("GET", `/api/batches/${id}/export.jsonl`);
    const records = jsonl.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.topic)).toEqual(topics);
    expect(records.every((r) => r.status === "succeeded" && typeof r.line === "string")).toBe(true);
  });

  it("creates from columns and rows without starting, then runs on request and lists newest first", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, columns: ["topic"], rows: [{ topic: "a" }, { topic: "b" }] });
    expect(created.status).toBe(201);
    expect(created.json.job.status).toBe("pending");
    const id: string = created.json.job.id;
    const list = await api("GET", "/api/batches");
    expect(list.json.jobs[0].id).toBe(id);
    const run = await api("POST", `/api/batches/${id}/run`);
    expect(run.status).toBe(200);
    expect((await finished(id)).json.job).toMatchObject({ status: "completed", completedRows: 2 });
  });

  it("exports while running: unfinished rows are pending", async () => {
    const topics = ["[[slow:1500]] a", "[[slow:1500]] b", "c"];
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 1, start: true });
    const id: string = created.json.job.id;
    const during = await api("GET", `/api/batches/${id}/export.jsonl`);
    expect(during.status).toBe(200);
    const statuses = during.text
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { status: string }).status);
    expect(statuses).toHaveLength(3);
    expect(statuses[2]).toBe("pending");
    await api("POST", `/api/batches/${id}/cancel`);
    await finished(id);
  });

  it("cancels a running batch: it ends cancelled with the unstarted rows skipped", async () => {
    const topics = Array.from({ length: 6 }, (_, i) => `[[slow:300]] row ${i}`);
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 1, start: true });
    const id: string = created.json.job.id;
    const cancel = await api("POST", `/api/batches/${id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.json.job.cancelRequested).toBe(true);
    const done = (await finished(id)).json.job;
    expect(done.status).toBe("cancelled");
    expect(done.completedRows + done.failedRows).toBeLessThan(6);
  });

  it("retries only the failed rows, which then succeed", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["ok", "[[fail-first]] once", "fine"]), start: true });
    const id: string = created.json.job.id;
    const first = (await finished(id)).json.job;
    expect(first).toMatchObject({ status: "completed", completedRows: 2, failedRows: 1 });
    const failed = (await api("GET", `/api/batches/${id}/results`)).json.results.find((r: { status: string }) => r.status === "failed");
    expect(failed.error).toMatchObject({ code: "bad_request", retryable: false });
    const retry = await api("POST", `/api/batches/${id}/retry-failed`);
    expect(retry.status).toBe(200);
    expect(retry.json.rows).toBe(1);
    const second = (await finished(id)).json.job;
    expect(second).toMatchObject({ status: "completed", completedRows: 3, failedRows: 0 });
  });

  it("changes concurrency with PATCH and rejects an out-of-range value with a field detail", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a"]) });
    const id: string = created.json.job.id;
    const ok = await api("PATCH", `/api/batches/${id}`, { concurrency: 7 });
    expect(ok.status).toBe(200);
    expect(ok.json.job.concurrency).toBe(7);
    const bad = await api("PATCH", `/api/batches/${id}`, { concurrency: 5000 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json.error.details ?? bad.json.error.message)).toContain("concurrency");
    expect((await api("GET", `/api/batches/${id}`)).json.job.concurrency).toBe(7);
  });
});

describe("bad input", () => {
  it.each<[string, unknown, string]>([
    ["missing flow", { csv: "topic\na\n" }, "flow"],
    ["neither csv nor rows", { flow: TEXT_FLOW }, "columns"],
    ["both csv and rows", { flow: TEXT_FLOW, csv: "topic\na\n", columns: ["topic"], rows: [] }, "csv"],
    ["a row cell of the wrong type", { flow: TEXT_FLOW, columns: ["topic"], rows: [{ topic: { nested: 1 } }] }, "rows[0].topic"],
    ["a flow referencing a missing column", { flow: TEXT_FLOW, csv: "title\na\n" }, "nodes"],
    ["a flow with a dangling edge", { flow: { ...TEXT_FLOW, edges: [...TEXT_FLOW.edges, { source: "write", target: "ghost" }] }, csv: "topic\na\n" }, "edges"],
    ["a CSV row with too many cells", { flow: TEXT_FLOW, csv: 'topic\na\n"b",c\n' }, "csv.rows"],
    ["an unknown field", { flow: TEXT_FLOW, csv: "topic\na\n", extra: true }, "(body)"],
  ])("%s → 400 with details, nothing written", async (_label, body, path) => {
    const before = await jobCount();
    const res = await api("POST", "/api/batches", body);
    expect(res.status).toBe(400);
    expect(["invalid_input", "invalid_flow"]).toContain(res.json.error.code);
    const details: { path: string; message: string }[] = res.json.error.details;
    expect(details.length).toBeGreaterThan(0);
    expect(details.map((d) => d.path).join(" ")).toContain(path);
    expect(await jobCount()).toBe(before);
  });

  it("answers malformed JSON with 400", async () => {
    const res = await request(srv.port, "POST", "/api/batches", "{not json");
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_input");
  });

  it("answers 413 for an upload over the limit and for an oversized small-body route", async () => {
    const before = await jobCount();
    const big = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: `topic\n${"x".repeat(300 * 1024)}\n` });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("limit_exceeded");
    expect(await jobCount()).toBe(before);
    const patch = await api("PATCH", "/api/batches/whatever", { concurrency: 2, pad: "y".repeat(20 * 1024) });
    expect(patch.status).toBe(413);
  });

  it.each<[string, string]>([
    ["GET", "/api/batches/nope"],
    ["POST", "/api/batches/nope/run"],
    ["POST", "/api/batches/nope/cancel"],
    ["POST", "/api/batches/nope/retry-failed"],
    ["GET", "/api/batches/nope/results"],
    ["GET", "/api/batches/nope/events"],
    ["GET", "/api/batches/nope/export.csv"],
    ["GET", "/api/batches/nope/export.jsonl"],
    ["GET", "/api/media/local:batch_jobs/nope/media/000000/x.png"],
    ["GET", "/api/no-such-route"],
  ])("%s %s → 404", async (method, path) => {
    const res = await api(method, path);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found");
  });

  it("PATCH on an unknown id → 404", async () => {
    expect((await api("PATCH", "/api/batches/nope", { concurrency: 2 })).status).toBe(404);
  });
});

describe("result paging parameters", () => {
  it("a bad ?limit= is a 400 that names the query string and the parameter, not the request body", async () => {
    const created = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["one"]), start: false });
    expect(created.status).toBe(201);
    const r = await api("GET", `/api/batches/${created.json.job.id}/results?limit=abc`);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe("The query string is invalid");
    expect(r.json.error.details[0].path).toBe("limit");
  });
});

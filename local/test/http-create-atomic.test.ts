/* eslint-disable @typescript-eslint/no-unsafe-argument -- JSON replies are checked by the assertions */
/**
 * POST /api/batches on the SQLite host: a refused or failed create leaves every table exactly as
 * it was (row counts and bytes of every table compared before and after), because the create is
 * checked before the first write and committed as ONE SQLite transaction; a `requestId` makes the
 * create idempotent (concurrent identical posts, a retry after a failed start, a conflicting
 * payload); concurrent creates stay within the per-owner limit.
 */
import { isTerminal } from "@flowcraft/core";
import { TEXT_FLOW } from "./support/flows";
import { request, waitForBatchEnd, type Reply } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ uploadBytes: 64 * 1024 * 1024, limits: { maxActiveJobsPerOwner: 10 } });
});
afterAll(async () => {
  await srv.close();
});

const api = (method: string, path: string, body?: unknown): Promise<Reply> => request(srv.port, method, path, body);

/** Every table's row count and stored bytes (documents' JSON included). */
function tables(): Record<string, { rows: number; bytes: number }> {
  const db = srv.host.store.db;
  srv.host.flush();
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const out: Record<string, { rows: number; bytes: number }> = {};
  for (const n of names) {
    const cols = (db.prepare(`PRAGMA table_info("${n}")`).all() as { name: string }[]).map((c) => `coalesce(length("${c.name}"),0)`);
    const r = db.prepare(`SELECT count(*) AS rows, coalesce(sum(${cols.join("+")}),0) AS bytes FROM "${n}"`).get() as { rows: number; bytes: number };
    out[n] = r;
  }
  return out;
}

const flowWithData = (extra: Record<string, unknown>) => ({
  ...TEXT_FLOW,
  nodes: TEXT_FLOW.nodes.map((n) => (n.id === "write" ? { ...n, data: { ...n.data, ...extra } } : n)),
});
/** ~4.4 KB per row: 10,000 rows are the 44 MB request. */
const bigRows = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `topic ${i} ${"t".repeat(4_380)}` }));
const body = (o: Record<string, unknown> = {}) => ({ flow: TEXT_FLOW, columns: ["topic"], rows: bigRows(3), ...o });

const finished = (id: string): Promise<Reply> => waitForBatchEnd(srv.port, id);

async function cancelAll(): Promise<void> {
  for (const j of (await api("GET", "/api/batches")).json.jobs as { id: string; status: string }[]) {
    if (!isTerminal(j.status as "pending")) await api("POST", `/api/batches/${j.id}/cancel`);
  }
}

describe("POST /api/batches leaves nothing behind when refused or failing", () => {
  afterEach(cancelAll);

  test("a 10,000-row (44 MB) request with a nested array in its flow: 400, every table unchanged", async () => {
    const before = tables();
    const res = await api("POST", "/api/batches", body({ flow: flowWithData({ extra: [[1, 2]] }), rows: bigRows(10_000) }));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "invalid_flow", details: [{ path: "flow.nodes[1].data.extra[0]" }] });
    expect(tables()).toEqual(before);
  });

  test.each([
    ["a __x__ key in the flow", { flow: flowWithData({ __x__: "reserved" }) }, 400, "invalid_flow"],
    ["a job document over 1 MiB", { flow: flowWithData({ system: "s".repeat(1_100_000) }) }, 400, "invalid_flow"],
    ["a reserved column name", { columns: ["topic", "__x__"] }, 400, "invalid_input"],
  ])("%s: refused, every table unchanged", async (_name, patch, status, code) => {
    const before = tables();
    const res = await api("POST", "/api/batches", body(patch));
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(tables()).toEqual(before);
  });

  test("limit exceeded: 429, every table unchanged", async () => {
    for (let i = 0; i < 10; i++) expect((await api("POST", "/api/batches", body({ rows: bigRows(1) }))).status).toBe(201);
    const before = tables();
    const res = await api("POST", "/api/batches", body({ rows: bigRows(2_000) }));
    expect(res.status).toBe(429);
    expect(res.json.error.code).toBe("limit_exceeded");
    expect(tables()).toEqual(before);
  });

  test("a store failure midway through writing the rows: 500, every table unchanged", async () => {
    const db = srv.host.store.db;
    // A real SQLite error on the last of ten chunk inserts (2,000 rows), inside the create.
    db.exec(`CREATE TEMP TRIGGER fail_midway BEFORE INSERT ON main.documents
      WHEN NEW.parent LIKE 'batch_jobs/%/rows' AND NEW.id = '00009'
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END`);
    try {
      const before = tables();
      const res = await api("POST", "/api/batches", body({ rows: bigRows(2_000) }));
      expect(res.status).toBe(500);
      expect(tables()).toEqual(before);
    } finally {
      db.exec("DROP TRIGGER IF EXISTS temp.fail_midway");
    }
  });
});

describe("POST /api/batches with a requestId", () => {
  afterEach(cancelAll);

  test("two concurrent identical posts create one job", async () => {
    const jobsBefore = (await api("GET", "/api/batches")).json.jobs.length;
    const req = body({ requestId: "9d2f7c1a-0b4e-4d8a-a3f1-5e6c7b8a9d01", rows: bigRows(200) });
    const [a, b] = await Promise.all([api("POST", "/api/batches", req), api("POST", "/api/batches", req)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json.job.id).toBe(b.json.job.id);
    expect((await api("GET", "/api/batches")).json.jobs.length).toBe(jobsBefore + 1);
  });

  test("a retry after a failed start returns the same job, started", async () => {
    const db = srv.host.store.db;
    const req = body({ requestId: "retry-after-failed-start", start: true, rows: bigRows(3) });
    db.exec(`CREATE TEMP TRIGGER fail_start BEFORE INSERT ON main.documents
      WHEN NEW.parent LIKE 'batch_jobs/%/lanes' BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END`);
    let first: Reply;
    try {
      first = await api("POST", "/api/batches", req);
    } finally {
      db.exec("DROP TRIGGER IF EXISTS temp.fail_start");
    }
    expect(first.status).toBe(500);
    const jobs = (await api("GET", "/api/batches")).json.jobs as { id: string; status: string }[];
    const pending = jobs.filter((j) => j.status === "pending");
    expect(pending).toHaveLength(1); // written, not started
    const retried = await api("POST", "/api/batches", req);
    expect(retried.status).toBe(201);
    expect(retried.json.job.id).toBe(pending[0]?.id);
    expect((await finished(retried.json.job.id)).json.job).toMatchObject({ status: "completed", completedRows: 3 });
    expect((await api("GET", "/api/batches")).json.jobs).toHaveLength(jobs.length);
  });

  test("the same requestId with a different payload: 409 conflict, every table unchanged", async () => {
    expect((await api("POST", "/api/batches", body({ requestId: "r-1" }))).status).toBe(201);
    const before = tables();
    const res = await api("POST", "/api/batches", body({ requestId: "r-1", name: "another" }));
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: "conflict", message: expect.stringContaining("r-1") });
    expect(tables()).toEqual(before);
  });

  test("25 concurrent creates: exactly 10 accepted, 15 refused with 429", async () => {
    const replies = await Promise.all(Array.from({ length: 25 }, () => api("POST", "/api/batches", body({ rows: bigRows(50) }))));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(10);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(15);
  });
});

/**
 * Crash test: a `serve` child process runs a batch with provider latency and is killed with
 * SIGKILL mid-batch; a new process on the same data directory resumes it. The batch completes,
 * every row has exactly one result, and the counts are exact (none lost, none counted twice).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { buildBundles, startServe } from "./support/child";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { request } from "./support/http-client";

// Enough rows that lane groups (which commit several short rows at once) leave work for the
// second process to be killed in the middle of.
const ROWS = 200;
let dataDir: string;
let children: ChildProcess[] = [];

beforeAll(() => buildBundles());
beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-crash-"))));
afterEach(() => {
  for (const c of children) c.kill("SIGKILL");
  children = [];
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function serve(): Promise<number> {
  const s = await startServe(["--data-dir", dataDir], { FLOWCRAFT_OFFLINE_LATENCY_MS: "80" });
  children.push(s.child);
  return s.port;
}

interface JobView {
  status: string;
  completedRows: number;
  failedRows: number;
  totalRows: number;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

async function job(port: number, id: string): Promise<JobView> {
  return (await request(port, "GET", `/api/batches/${id}`)).json.job as JobView;
}

async function until(port: number, id: string, cond: (j: JobView) => boolean, what: string): Promise<JobView> {
  for (let i = 0; i < 1200; i++) {
    const j = await job(port, id);
    if (cond(j)) return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function allResults(port: number, id: string): Promise<{ rowIndex: number; status: string }[]> {
  const out: { rowIndex: number; status: string }[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page = (await request(port, "GET", `/api/batches/${id}/results?limit=15${q}`)).json as {
      results: { rowIndex: number; status: string }[];
      nextCursor: string | null;
    };
    out.push(...page.results);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

it("resumes a batch after SIGKILL: completes with exactly one result per row and exact counts", async () => {
  const topics = Array.from({ length: ROWS }, (_, i) => `row ${i}`);
  const port1 = await serve();
  const created = await request(port1, "POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics), concurrency: 4, start: true });
  expect(created.status).toBe(201);
  const id = (created.json as { job: { id: string } }).job.id;
  const before = await until(port1, id, (j) => j.completedRows >= 8, "some rows to finish");
  expect(before.status).toBe("processing");

  await kill(children[0]!);

  // Kill the second process mid-batch too, then let a third finish.
  const port2a = await serve();
  const middle = await until(port2a, id, (j) => j.completedRows >= before.completedRows + 8, "progress after the restart");
  expect(middle.status).toBe("processing");
  await kill(children[1]!);

  const port2 = await serve();
  const done = await until(port2, id, (j) => j.status !== "processing", "the resumed batch to finish");
  expect(done).toMatchObject({ status: "completed", totalRows: ROWS, completedRows: ROWS, failedRows: 0 });

  const results = await allResults(port2, id);
  expect(results.map((r) => r.rowIndex).sort((a, b) => a - b)).toEqual(topics.map((_, i) => i));
  expect(results.every((r) => r.status === "succeeded")).toBe(true);

  const exported = (await request(port2, "GET", `/api/batches/${id}/export.csv`)).text.trim().split(/\r?\n/).slice(1);
  expect(exported.map((l) => l.split(",")[0])).toEqual(topics);
  expect(exported.every((l) => l.includes(",succeeded,"))).toBe(true);
});

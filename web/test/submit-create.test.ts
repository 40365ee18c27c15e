/**
 * One submit = one request id, reused on the app's own retries: the real LocalBackend against the
 * real local host, behind a loopback proxy that loses the first reply AFTER the server created the
 * job. The retry carries the same requestId, so the server returns that job: one job, not two.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { LocalBackend } from "../src/backend/local-backend";
import { submitCreate } from "../src/backend/submit-create";
import { BackendError, type CreateBatchInput } from "../src/backend/types";
import { startTestServer, type TestServer } from "../../local/test/support/test-server";
import { TEXT_FLOW } from "../../local/test/support/flows";

const input: CreateBatchInput = { name: "retry me", flow: TEXT_FLOW, columns: ["topic"], rows: [{ topic: "a" }, { topic: "b" }], concurrency: 1, start: false };
const noWait = { sleep: async () => {} };

/** Forwards to `port`; drops the connection instead of answering the first `drop` create posts. */
function lossyProxy(port: number, drop: number): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const create = req.method === "POST" && req.url === "/api/batches";
      if (create) seen.push(String((JSON.parse(body.toString("utf8")) as { requestId?: string }).requestId));
      const up = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: { "content-type": "application/json" } }, (upRes) => {
        if (create && drop-- > 0) {
          upRes.resume();
          upRes.on("end", () => res.destroy()); // the server did the work; the reply is lost
          return;
        }
        res.writeHead(upRes.statusCode ?? 500, upRes.headers);
        upRes.pipe(res);
      });
      up.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    ),
  );
}

describe("a batch submit is retried with one request id", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv.close();
  });

  test("LocalBackend: the reply to the create is lost; the retry returns the same job", async () => {
    const proxy = await lossyProxy(srv.port, 1);
    try {
      const backend = new LocalBackend(proxy.url, { submit: noWait });
      const job = await backend.create(input);
      expect(proxy.seen).toHaveLength(2);
      expect(proxy.seen[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(proxy.seen[1]).toBe(proxy.seen[0]);
      const jobs = (await srv.host.handlers.listJobs({ ownerId: "local" })).filter((j) => j.name === "retry me");
      expect(jobs.map((j) => j.id)).toEqual([job.id]);
      // A new submit is a new request: a second job.
      const again = await backend.create(input);
      expect(again.id).not.toBe(job.id);
      expect(proxy.seen[2]).not.toBe(proxy.seen[0]);
    } finally {
      await proxy.close();
    }
  });

  test("only retryable failures are retried, and never past the attempt budget", async () => {
    const ids: string[] = [];
    const refused = new BackendError({ code: "limit_exceeded", message: "full", retryable: false });
    await expect(submitCreate(input, async (r) => (ids.push(r.requestId), Promise.reject(refused)), noWait)).rejects.toBe(refused);
    expect(ids).toHaveLength(1);
    const down = new BackendError({ code: "unavailable", message: "down", retryable: true });
    ids.length = 0;
    await expect(submitCreate(input, async (r) => (ids.push(r.requestId), Promise.reject(down)), { ...noWait, attempts: 3 })).rejects.toBe(down);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });
});

/**
 * The row task function through firebase-functions' real HTTP dispatch handler (what Cloud Tasks
 * calls), not `.run`: the X-CloudTasks-TaskRetryCount header reaches the core as retryCount, so a
 * retryable failure answers non-2xx (Cloud Tasks retries) before the last attempt and 204 with the
 * row recorded as failed on it. The OIDC bearer token is checked by Cloud Run before the function;
 * firebase-functions only decodes it, so an unsigned token stands in for it here.
 */
import { RetryableError, type RowResult } from "@flowcraft/core";
import * as fns from "../src/index";
import { ROW_TASK_RETRY } from "../src/config/function-options";
import { Harness, auth, fft, textFlow, type QueuedTask } from "./support/harness";
import { RecordingAi } from "./support/recording-ai";

afterAll(() => fft.cleanup());

class DownAi extends RecordingAi {
  override generateText(): Promise<never> {
    return Promise.reject(new RetryableError("unavailable", "The AI provider is unavailable"));
  }
}

/** A 429 whose RetryInfo asks for 30 s (beyond the engine's in-process retry). */
class QuotaAi extends RecordingAi {
  override generateText(): Promise<never> {
    return Promise.reject(new RetryableError("rate_limited", "Gemini rate limit reached", 30_000));
  }
}

/** What firebase-functions logs at error level while `fn` runs (its logger writes to the console). */
async function errorLogs(fn: () => Promise<void>): Promise<string[]> {
  const spy = jest.spyOn(console, "error").mockImplementation(() => {});
  try {
    await fn();
    return spy.mock.calls.map((args) => args.map(String).join(" "));
  } finally {
    spy.mockRestore();
  }
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const oidcToken = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ sub: "tasks@demo-flowcraft.iam.gserviceaccount.com" })}.c2ln`;

interface FakeResponse {
  statusCode: number;
  body?: unknown;
}

async function dispatch(task: QueuedTask, retryCount: number): Promise<FakeResponse> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    authorization: `Bearer ${oidcToken}`,
    "x-cloudtasks-queuename": "runBatchRow",
    "x-cloudtasks-taskname": task.id,
    "x-cloudtasks-taskretrycount": String(retryCount),
    "x-cloudtasks-taskexecutioncount": String(retryCount),
  };
  const req = {
    method: "POST",
    headers,
    body: { data: task.payload },
    header: (name: string) => headers[name.toLowerCase()],
    get: (name: string) => headers[name.toLowerCase()],
  };
  const res: FakeResponse & Record<string, unknown> = { statusCode: 200 };
  Object.assign(res, {
    status: (code: number) => ((res.statusCode = code), res),
    send: (body: unknown) => ((res.body = body), res),
    end: () => res,
    setHeader: () => res,
    on: () => res,
  });
  await (fns.runBatchRow as unknown as (rq: unknown, rs: unknown) => Promise<void>)(req, res);
  return res;
}

describe("runBatchRow over HTTP", () => {
  it("answers non-2xx before the last attempt and 204 with a failed row on it", async () => {
    const h = new Harness({ ai: new DownAi(), autoDeliver: false, nodeRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const { job } = await h.createBatch({
      data: { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], concurrency: 1, start: true },
      auth: auth("alice"),
    } as never);
    const task = h.queue.rowTasks[0]!;

    const early = await dispatch(task, 0);
    expect(early.statusCode).toBeGreaterThanOrEqual(500);
    expect(await h.store.count(`batch_jobs/${job.id}/results`)).toBe(0);

    const last = await dispatch(task, ROW_TASK_RETRY.maxAttempts - 1);
    expect(last.statusCode).toBe(204);
    const [result] = await h.store.query<RowResult>(`batch_jobs/${job.id}/results`);
    expect(result?.data.status).toBe("failed");
    expect(result?.data.error?.code).toBe("unavailable");
  });

  it("answers 204 to a 429 with Retry-After and re-enqueues the next attempt with that delay, logging no error", async () => {
    const h = new Harness({ ai: new QuotaAi(), autoDeliver: false });
    await h.createBatch({
      data: { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], concurrency: 1, start: true },
      auth: auth("alice"),
    } as never);
    let res: FakeResponse = { statusCode: 0 };
    const logs = await errorLogs(async () => {
      res = await dispatch(h.queue.rowTasks[0]!, 0);
    });
    expect(res.statusCode).toBe(204);
    expect(logs.filter((l) => l.includes("Unhandled error"))).toEqual([]);
    expect(h.queue.rowTasks[1]).toMatchObject({ delayMs: 30_000, payload: { attempt: 1 } });
  });

  it("answers 503, not an unhandled 500, to a retryable failure without a delay", async () => {
    const h = new Harness({ ai: new DownAi(), autoDeliver: false, nodeRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await h.createBatch({
      data: { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], concurrency: 1, start: true },
      auth: auth("alice"),
    } as never);
    let res: FakeResponse = { statusCode: 0 };
    const logs = await errorLogs(async () => {
      res = await dispatch(h.queue.rowTasks[0]!, 0);
    });
    expect(res.statusCode).toBe(503);
    expect(logs.filter((l) => l.includes("Unhandled error"))).toEqual([]);
  });

  it("answers 400 to a request that is not a task delivery", async () => {
    new Harness({ ai: new RecordingAi(), autoDeliver: false });
    const res = await dispatch({ id: "x", payload: undefined as never }, 0);
    expect(res.statusCode).toBe(400);
  });
});

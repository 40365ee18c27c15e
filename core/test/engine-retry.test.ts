import { PermanentError, RetryableError } from "../src/errors";
import type { Clock } from "../src/ports/clock";
import { backoffDelay } from "../src/engine/node-retry";
import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import { flowOf, input, output, text } from "./support/flows";
import { ScriptedAi } from "./support/scripted-ai";

/** Every sleep is recorded and moves virtual time forward by its length at once. */
class SteppingClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private t = 10_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

/** Time stands still: sleeps are recorded and end only by abort (the deadline timer never fires). */
class FrozenClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return 10_000;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted"))));
  }
}

// title ─▶ a ─▶ out
const flow = () => flowOf([input("title"), text("a", "a {{title}}"), output("out", "A")], "title>a a>out");
const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

/** `a` fails with the listed errors in turn, then succeeds. */
function failingThen<C extends Clock = SteppingClock>(errors: Error[], clock: C = new SteppingClock() as unknown as C) {
  const ai = new ScriptedAi((call) => {
    const err = errors[call.repeat];
    if (err) throw err;
    return undefined;
  });
  const engine = new ServerWorkflowEngine({ ai, clock, nodeRetry: policy });
  return { ai, clock, run: (deadline?: number) => engine.execute({ flow: flow(), row: { title: "x" }, ...(deadline ? { deadline } : {}) }) };
}

describe("ServerWorkflowEngine: in-process node retry", () => {
  it("waits the provider's retryAfterMs, then succeeds", async () => {
    const { ai, clock, run } = failingThen([new RetryableError("rate_limited", "429", 1_500)]);
    const result = await run();
    expect(clock.sleeps).toEqual([1_500]);
    expect(ai.count("a")).toBe(2);
    expect(result.status).toBe("succeeded");
    expect(result.trace.a).toMatchObject({ status: "succeeded", attempts: 2, durationMs: 1_500 });
  });

  it("backs off exponentially with jitter, deterministically for the same clock", async () => {
    const errors = () => [new RetryableError("unavailable", "503"), new RetryableError("unavailable", "503")];
    const first = failingThen(errors());
    const second = failingThen(errors());
    expect((await first.run()).status).toBe("succeeded");
    await second.run();
    const [d1, d2] = first.clock.sleeps as [number, number];
    expect(first.clock.sleeps).toHaveLength(2);
    expect(d1).toBeGreaterThanOrEqual(50);
    expect(d1).toBeLessThanOrEqual(100);
    expect(d2).toBeGreaterThanOrEqual(100);
    expect(d2).toBeLessThanOrEqual(200);
    expect(second.clock.sleeps).toEqual(first.clock.sleeps);
  });

  it.each([
    ["a permanent error", [new PermanentError("bad_request", "400")], 1, { code: "bad_request", retryable: false }],
    [
      "retryable errors past maxAttempts",
      [new RetryableError("unavailable", "503"), new RetryableError("unavailable", "503"), new RetryableError("unavailable", "503")],
      3,
      { code: "unavailable", retryable: true },
    ],
    [
      "a retryAfterMs longer than maxDelayMs (left to the task queue)",
      [new RetryableError("rate_limited", "429", 60_000)],
      1,
      { code: "rate_limited", retryable: true, retryAfterMs: 60_000 },
    ],
  ])("stops retrying on %s", async (_name, errors, calls, error) => {
    const { ai, run } = failingThen(errors);
    const result = await run();
    expect(ai.count("a")).toBe(calls);
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ ...error, nodeId: "a" });
    expect(result.trace.a?.attempts).toBe(calls);
  });

  it("does not wait past the row's deadline", async () => {
    const { ai, clock, run } = failingThen([new RetryableError("rate_limited", "429", 1_500)], new FrozenClock());
    const result = await run(clock.now() + 1_000);
    expect(clock.sleeps).not.toContain(1_500);
    expect(ai.count("a")).toBe(1);
    expect(result.error).toMatchObject({ code: "rate_limited", retryable: true });
  });
});

describe("backoffDelay", () => {
  it.each([
    [1, 50, 100],
    [2, 100, 200],
    [3, 200, 400],
    [10, 1_000, 2_000],
  ])("attempt %i waits between %i and %i ms", (attempt, lo, hi) => {
    for (const seed of ["a", "b", "c", "node:123"]) {
      const d = backoffDelay(policy, attempt, seed);
      expect(d).toBeGreaterThanOrEqual(lo);
      expect(d).toBeLessThanOrEqual(hi);
    }
  });

  it("never waits less than retryAfterMs", () => {
    expect(backoffDelay(policy, 1, "a", 1_234)).toBe(1_234);
  });
});

import { RetryableError } from "../src/errors";
import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import { MemoryGovernor } from "../src/governor/memory-governor";
import type { LimitsTable } from "../src/governor/port";
import { flowOf, input, output, text } from "./support/flows";
import { ScriptedAi, tick } from "./support/scripted-ai";
import { SteppingClock } from "./support/test-clocks";

/** Like SteppingClock, but each sleep also yields a macrotask turn, so calls in flight can finish while others poll. */
class TurningClock extends SteppingClock {
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await super.sleep(ms, signal);
    await tick();
  }
}

const MODEL = "gemini-2.5-flash";
//        ┌─▶ a ─▶ A
// title ─┼─▶ b ─▶ B
//        └─▶ c ─▶ C
const fanOut = () =>
  flowOf(
    [input("title"), text("a", "a {{title}}"), text("b", "b {{title}}"), text("c", "c {{title}}"), output("A", "A"), output("B", "B"), output("C", "C")],
    "title>a title>b title>c a>A b>B c>C",
  );

function setup(limits: LimitsTable, handler?: ConstructorParameters<typeof ScriptedAi>[0]) {
  const clock = new TurningClock();
  const governor = new MemoryGovernor({ clock, defaults: limits, pollMs: 50 });
  const ai = new ScriptedAi(handler);
  const engine = new ServerWorkflowEngine({ ai, clock, governor, nodeRetry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 } });
  return { clock, governor, ai, engine };
}

/** Most calls that were between their start and end at once, from the ordered events. */
function maxOverlap(events: string[]): number {
  let open = 0;
  let max = 0;
  for (const e of events) {
    open += e.startsWith("start ") ? 1 : -1;
    max = Math.max(max, open);
  }
  return max;
}

describe("ServerWorkflowEngine with a governor", () => {
  it("runs parallel branches one call at a time when the model's concurrency is 1", async () => {
    const { ai, engine, governor } = setup({ [MODEL]: { concurrency: 1 } }, async () => {
      await tick();
      return undefined;
    });
    const run = await engine.execute({ flow: fanOut(), row: { title: "x" } });
    expect(run.status).toBe("succeeded");
    expect(ai.calls).toHaveLength(3);
    expect(maxOverlap(ai.events)).toBe(1);
    expect((await governor.status(MODEL)).inFlight).toBe(0);
  });

  it("without a governor the same branches overlap (the hook is what serializes them)", async () => {
    const ai = new ScriptedAi(async () => {
      await tick();
      return undefined;
    });
    const engine = new ServerWorkflowEngine({ ai, clock: new SteppingClock() });
    await engine.execute({ flow: fanOut(), row: { title: "x" } });
    expect(maxOverlap(ai.events)).toBe(3);
  });

  it("defers instead of calling when no permit is free soon: retryable rate_limited with the delay, no in-process retry", async () => {
    const { ai, engine, governor, clock } = setup({ [MODEL]: { rpm: 600 } });
    const held = await governor.acquire({ model: MODEL, kind: "text", estimatedTokens: 1, maxDelayMs: 0 });
    if (held.kind !== "granted") throw new Error("setup");
    await governor.report({ permit: held.permit, outcome: "rate_limited", retryAfterMs: 60_000 });
    const flow = flowOf([input("title"), text("a", "a {{title}}"), output("A", "A")], "title>a a>A");
    const run = await engine.execute({ flow, row: { title: "x" } });
    expect(ai.calls).toHaveLength(0);
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "rate_limited", retryable: true, retryAfterMs: 60_000, nodeId: "a" });
    expect(run.trace.a?.attempts).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("a row allowed to wait longer (last attempt) waits out the block and runs", async () => {
    const { ai, engine, governor } = setup({ [MODEL]: { rpm: 600 } });
    const held = await governor.acquire({ model: MODEL, kind: "text", estimatedTokens: 1, maxDelayMs: 0 });
    if (held.kind !== "granted") throw new Error("setup");
    await governor.report({ permit: held.permit, outcome: "rate_limited", retryAfterMs: 60_000 });
    const flow = flowOf([input("title"), text("a", "a {{title}}"), output("A", "A")], "title>a a>A");
    const run = await engine.execute({ flow, row: { title: "x" }, governorMaxWaitMs: 120_000 });
    expect(run.status).toBe("succeeded");
    expect(ai.calls).toHaveLength(1);
  });

  it("reports a provider 429 (rate cut for everyone, Retry-After), then retries in-process under the new rate", async () => {
    const { ai, engine, governor } = setup({ [MODEL]: { rpm: 600 } }, (call) => {
      if (call.repeat === 0) throw new RetryableError("rate_limited", "429", 1_500);
      return undefined;
    });
    const flow = flowOf([input("title"), text("a", "a {{title}}"), output("A", "A")], "title>a a>A");
    const run = await engine.execute({ flow, row: { title: "x" } });
    expect(run.status).toBe("succeeded");
    expect(ai.count("a")).toBe(2);
    const status = await governor.status(MODEL);
    expect(status.effectiveRpm).toBeGreaterThan(420);
    expect(status.effectiveRpm).toBeLessThan(421);
    expect(status.retryUntil).toBeGreaterThan(0);
    expect(status.inFlight).toBe(0);
  });

  it("keeps a job's own limit by kind across its rows, while another job is not held by it", async () => {
    const { ai, engine } = setup({}, async () => {
      await tick();
      return undefined;
    });
    const flow = flowOf([input("title"), text("a", "a {{title}}"), output("A", "A")], "title>a a>A");
    const limits = { byKind: { text: 1 } };
    const runs = await Promise.all([1, 2, 3].map((i) => engine.execute({ flow, row: { title: `${i}` }, governorJob: { id: "J", limits } })));
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(maxOverlap(ai.events)).toBe(1);
    ai.events.length = 0;
    await Promise.all(["J", "K"].map((id) => engine.execute({ flow, row: { title: id }, governorJob: { id, limits } })));
    expect(maxOverlap(ai.events)).toBe(2);
  });
});

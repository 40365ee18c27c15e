import { PermanentError } from "../src/errors";
import type { Clock } from "../src/ports/clock";
import { ServerWorkflowEngine } from "../src/engine/server-workflow-engine";
import type { NodeOutput } from "../src/engine/types";
import { flowOf, input, output, text } from "./support/flows";
import { ScriptedAi, deferred, tick, untilAborted, type Handler } from "./support/scripted-ai";

const noRetry = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

/** Virtual time: sleepers wake only when the test advances the clock. */
class ManualClock implements Clock {
  private sleepers: Array<{ at: number; wake: () => void }> = [];
  constructor(private t = 1_000) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error("aborted"));
      const sleeper = { at: this.t + ms, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(new Error("aborted"));
      });
    });
  }
  /** Moves time without waking sleepers: a timer that has not fired yet. */
  jump(ms: number): void {
    this.t += ms;
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.wake();
  }
}

// title ─▶ a ─▶ b ─▶ out
const chain = () => flowOf([input("title"), text("a", "a {{title}}"), text("b", "b {{a}}"), output("out", "B")], "title>a a>b b>out");

describe("ServerWorkflowEngine: resume", () => {
  it("does not run resumed nodes again and feeds their saved outputs downstream", async () => {
    const ai = new ScriptedAi();
    const engine = new ServerWorkflowEngine({ ai, nodeRetry: noRetry });
    const resume: Record<string, NodeOutput> = { title: { kind: "text", text: "x" }, a: { kind: "text", text: "saved A" } };
    const run = await engine.execute({ flow: chain(), row: { title: "x" }, resume });
    expect(ai.count("a")).toBe(0);
    expect(ai.calls.map((c) => c.prompt)).toEqual(["b saved A"]);
    expect(run.trace.a).toEqual({ status: "resumed" });
    expect(run.trace.b?.status).toBe("succeeded");
    expect(run.nodeOutputs.a).toEqual({ kind: "text", text: "saved A" });
    expect(run.outputs.B).toEqual({ kind: "text", text: "<b saved A>" });
    // Only this run's calls count towards its usage.
    expect(run.usage.totalTokens).toBe(3);
  });

  it("re-runs only the failed node when a failed row is retried from its saved outputs", async () => {
    //        ┌─▶ a ─▶ b ─▶ o1
    // title ─┤
    //        └─▶ c ───────▶ o2
    const flow = flowOf(
      [input("title"), text("a", "a {{title}}"), text("b", "b {{a}}"), text("c", "c {{title}}"), output("o1", "B"), output("o2", "C")],
      "title>a a>b b>o1 title>c c>o2",
    );
    const ai = new ScriptedAi((call) => {
      if (call.label === "b" && call.repeat === 0) throw new PermanentError("bad_request", "first try fails");
      return undefined;
    });
    const engine = new ServerWorkflowEngine({ ai, nodeRetry: noRetry });
    const first = await engine.execute({ flow, row: { title: "x" } });
    expect(first.error).toMatchObject({ nodeId: "b" });
    const second = await engine.execute({ flow, row: { title: "x" }, resume: first.nodeOutputs });
    expect(second.status).toBe("succeeded");
    expect([ai.count("a"), ai.count("b"), ai.count("c")]).toEqual([1, 2, 1]);
    expect(second.trace.c?.status).toBe("resumed");
    expect(second.outputs).toEqual({ B: { kind: "text", text: "<b <a x>>" }, C: { kind: "text", text: "<c x>" } });
  });
});

describe("ServerWorkflowEngine: abort", () => {
  it("aborts the running call, starts nothing after it and fails the row as cancelled", async () => {
    const aStarted = deferred();
    const ai = new ScriptedAi(async (call) => {
      if (call.label !== "a") return undefined;
      aStarted.resolve();
      return untilAborted(call.signal);
    });
    const controller = new AbortController();
    const running = new ServerWorkflowEngine({ ai, nodeRetry: noRetry }).execute({ flow: chain(), row: { title: "x" }, signal: controller.signal });
    await aStarted.promise;
    controller.abort();
    const run = await running;
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "cancelled", nodeId: "a" });
    expect(ai.calls[0]?.signal?.aborted).toBe(true);
    expect(ai.count("b")).toBe(0);
    expect(run.trace.b).toMatchObject({ status: "skipped", error: { code: "cancelled" } });
  });

  it("lets a finished branch keep its output and still stops when the provider ignores the signal", async () => {
    //        ┌─▶ hang ─▶ o1
    // title ─┤
    //        └─▶ quick ─▶ o2
    const flow = flowOf(
      [input("title"), text("hang", "hang"), text("quick", "quick {{title}}"), output("o1", "H"), output("o2", "Q")],
      "title>hang title>quick hang>o1 quick>o2",
    );
    const quickDone = deferred();
    const ai = new ScriptedAi(async (call) => {
      if (call.label === "quick") {
        setImmediate(() => quickDone.resolve());
        return undefined;
      }
      return new Promise<never>(() => {}); // never settles, ignores the signal
    });
    const controller = new AbortController();
    const running = new ServerWorkflowEngine({ ai, nodeRetry: noRetry }).execute({ flow, row: { title: "x" }, signal: controller.signal });
    await quickDone.promise;
    controller.abort();
    const run = await running;
    expect(run.trace.quick?.status).toBe("succeeded");
    expect(run.outputs.Q).toEqual({ kind: "text", text: "<quick x>" });
    expect(run.trace.hang).toMatchObject({ status: "failed", error: { code: "cancelled" } });
    expect(run.error?.code).toBe("cancelled");
  });

  it("runs nothing when the signal is already aborted", async () => {
    const ai = new ScriptedAi();
    const controller = new AbortController();
    controller.abort();
    const run = await new ServerWorkflowEngine({ ai }).execute({ flow: chain(), row: { title: "x" }, signal: controller.signal });
    expect(ai.calls).toHaveLength(0);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("cancelled");
    expect(Object.values(run.trace).map((t) => t.status)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
  });
});

describe("ServerWorkflowEngine: deadline", () => {
  it("starts no node once the deadline has passed, even before the deadline timer fires", async () => {
    const clock = new ManualClock();
    const ai = new ScriptedAi((call) => {
      if (call.label === "a") clock.jump(5_000); // a's call ends past the deadline; the timer lags
      return undefined;
    });
    const engine = new ServerWorkflowEngine({ ai, clock, nodeRetry: noRetry });
    const run = await engine.execute({ flow: chain(), row: { title: "x" }, deadline: clock.now() + 1_000 });
    expect(ai.count("b")).toBe(0);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("timeout");
    expect(run.trace.a?.status).toBe("succeeded");
    expect(run.trace.b).toMatchObject({ status: "skipped", error: { code: "timeout" } });
  });

  it("aborts a running call when the deadline passes", async () => {
    const clock = new ManualClock();
    const aStarted = deferred();
    const ai = new ScriptedAi(async (call) => {
      if (call.label !== "a") return undefined;
      aStarted.resolve();
      return untilAborted(call.signal);
    });
    const running = new ServerWorkflowEngine({ ai, clock, nodeRetry: noRetry }).execute({
      flow: chain(),
      row: { title: "x" },
      deadline: clock.now() + 1_000,
    });
    await aStarted.promise;
    clock.advance(999);
    await tick();
    expect(ai.calls[0]?.signal?.aborted).toBe(false);
    clock.advance(1);
    const run = await running;
    expect(ai.calls[0]?.signal?.aborted).toBe(true);
    expect(run.error).toMatchObject({ code: "timeout", nodeId: "a", retryable: false });
    expect(run.trace.a?.durationMs).toBe(1_000);
  });
});

describe("ServerWorkflowEngine: far deadlines", () => {
  it("does not fire a deadline beyond the timer range early (system clock)", async () => {
    const ai = new ScriptedAi(() => new Promise((r) => setTimeout(() => r(undefined), 20)));
    const run = await new ServerWorkflowEngine({ ai }).execute({ flow: chain(), row: { title: "x" }, deadline: Date.now() + 40 * 86_400_000 });
    expect(run.status).toBe("succeeded");
  });
});

describe("ServerWorkflowEngine: handler errors in hooks", () => {
  it("keeps running when onNodeDone throws", async () => {
    const handler: Handler = () => undefined;
    const run = await new ServerWorkflowEngine({ ai: new ScriptedAi(handler) }).execute({
      flow: chain(),
      row: { title: "x" },
      onNodeDone: () => {
        throw new Error("checkpoint store down");
      },
    });
    expect(run.status).toBe("succeeded");
  });
});

/**
 * One run of a flow over one row. Event-driven: a node starts the moment its last upstream node
 * finishes (not level by level), so independent branches overlap. Invariants:
 * - every node ends with exactly one trace status; a failed or skipped node skips all its
 *   not-yet-final descendants with `upstream_failed`; unrelated branches keep running;
 * - after a stop (abort or deadline) no node starts; waiting nodes are skipped with the stop code
 *   and running AI calls see an aborted signal;
 * - `RowRun.error` is the first failed node's error plus its `nodeId`.
 */
import { FlowcraftError, toErrorInfo, type ErrorInfo } from "../errors";
import { addUsage, ZERO_USAGE, type AiService, type Usage } from "../ai/port";
import type { Logger } from "../logger";
import type { Clock } from "../ports/clock";
import type { FlowGraph } from "../flow/graph";
import { flowPlan } from "../flow/valid-flow";
import type { FlowNode } from "../flow/schema";
import { governedCall } from "../governor/governed-call";
import type { Governor } from "../governor/port";
import { withNodeRetry, type NodeRetryPolicy } from "./node-retry";
import { RowStop, raceAbort, stopError } from "./row-stop";
import { nodeRunHash } from "./node-hash";
import { inputNodeOutput, prepareAiCall, type AiNodeResult, type PreparedAiCall } from "./run-node";
import type { ExecuteOptions, NodeOutput, NodeTrace, RowRun } from "./types";

export interface RowDeps {
  ai: AiService;
  clock: Clock;
  logger: Logger;
  nodeRetry: NodeRetryPolicy;
  governor?: { governor: Governor; maxWaitMs: number };
}

type State = "waiting" | "running" | "final";
type RowError = ErrorInfo & { nodeId?: string };

export class RowExecution {
  private readonly graph: FlowGraph;
  private readonly nodes: ReadonlyMap<string, FlowNode>;
  private readonly state = new Map<string, State>();
  private readonly pendingUps = new Map<string, number>();
  private readonly outputs = new Map<string, NodeOutput>();
  /** Run hashes (node-hash.ts) of the nodes that produced or kept an output. */
  private readonly hashes = new Map<string, string>();
  private readonly trace: Record<string, NodeTrace> = {};
  private readonly failures: RowError[] = [];
  private readonly hooks: Array<Promise<void>> = [];
  private readonly stop: RowStop;
  private usage: Usage = ZERO_USAGE;
  private unfinished = 0;
  /** False while saved outputs are applied, so nothing starts before the first stop check. */
  private started = false;
  private finish: () => void = () => {};

  constructor(
    private readonly deps: RowDeps,
    private readonly opts: ExecuteOptions,
  ) {
    // Built and checked (acyclic) once by parseFlow; throws invalid_flow for an unvalidated flow.
    ({ graph: this.graph, nodes: this.nodes } = flowPlan(opts.flow));
    this.stop = new RowStop(deps.clock, opts.signal, opts.deadline);
  }

  async run(): Promise<RowRun> {
    const startedAt = this.deps.clock.now();
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    this.unfinished = this.graph.ids.length;
    for (const id of this.graph.ids) {
      this.state.set(id, "waiting");
      this.pendingUps.set(id, this.graph.upstream.get(id)?.length ?? 0);
    }
    this.stop.onStop((code) => this.skipWaiting(stopError(code, false)));
    this.resumeSaved();
    const code = this.stop.check();
    if (code !== null) this.skipWaiting(stopError(code, false));
    this.started = true;
    for (const id of this.graph.ids) if (this.state.get(id) === "waiting" && this.pendingUps.get(id) === 0) this.start(id);
    if (this.unfinished > 0) await done;
    this.stop.dispose();
    await Promise.all(this.hooks);
    return this.result(this.deps.clock.now() - startedAt);
  }

  /** Nodes with saved outputs become final at once and feed their dependents. */
  private resumeSaved(): void {
    const saved = this.opts.resume ?? {};
    for (const id of this.graph.ids) {
      const output = saved[id];
      if (output === undefined || !Object.prototype.hasOwnProperty.call(saved, id)) continue;
      this.outputs.set(id, output);
      this.settle(id, { status: "resumed" }, false);
    }
  }

  private start(id: string): void {
    const code = this.stop.check();
    if (code !== null) return this.settle(id, { status: "skipped", error: stopError(code, false) });
    const node = this.nodes.get(id) as FlowNode;
    if (this.keepEarlier(node)) return;
    this.state.set(id, "running");
    void this.runNode(node);
  }

  /**
   * Keeps an earlier run's output (`opts.reuse`) when the node's run hash, computed now from its
   * configuration and resolved inputs, equals the one stored with it: the node is not run again.
   */
  private keepEarlier(node: FlowNode): boolean {
    const hash = nodeRunHash(node, this.outputs, this.opts.row);
    if (hash === undefined) return false;
    this.hashes.set(node.id, hash);
    const reuse = this.opts.reuse;
    const kept = reuse && Object.prototype.hasOwnProperty.call(reuse, node.id) ? reuse[node.id] : undefined;
    if (kept?.hash !== hash) return false;
    this.outputs.set(node.id, kept.output);
    this.settle(node.id, { status: "resumed" }, false);
    return true;
  }

  private async runNode(node: FlowNode): Promise<void> {
    const startedAt = this.deps.clock.now();
    const timing = (): Pick<NodeTrace, "startedAt" | "durationMs"> => ({ startedAt, durationMs: this.deps.clock.now() - startedAt });
    try {
      const out = await this.produce(node);
      if (out.output) this.outputs.set(node.id, out.output);
      if (out.usage) this.usage = addUsage(this.usage, out.usage);
      this.settle(node.id, { status: "succeeded", ...timing(), ...out.extra });
    } catch (err) {
      const failure = err instanceof AttemptsError ? err : new AttemptsError(err, undefined);
      const code = this.stop.check();
      const error = code !== null ? stopError(code, true) : toErrorInfo(failure.cause);
      if (code === null && !(failure.cause instanceof FlowcraftError)) {
        // Unknown errors are stored as a generic `internal`; log only the name (messages can hold secrets).
        this.deps.logger.error({ nodeId: node.id, err: failure.cause instanceof Error ? failure.cause.name : typeof failure.cause }, "node crashed");
      }
      const attempts = failure.attempts !== undefined ? { attempts: failure.attempts } : {};
      this.settle(node.id, { status: "failed", ...timing(), error, ...attempts });
    }
  }

  /** Runs one node to its output (with in-process retry for AI nodes). */
  private async produce(node: FlowNode): Promise<{ output?: NodeOutput; usage?: Usage; extra?: Partial<NodeTrace> }> {
    switch (node.type) {
      case "input":
        return { output: inputNodeOutput(node, this.opts.row) };
      case "output": {
        const source = this.graph.upstream.get(node.id)?.[0];
        const output = source !== undefined ? this.outputs.get(source) : undefined;
        return output ? { output } : {};
      }
      case "text":
      case "image":
      case "video": {
        const call = prepareAiCall(node, this.outputs, this.deps.ai);
        const signal = this.stop.signal;
        const outcome = await withNodeRetry(() => raceAbort(this.callOnce(call, signal), signal), {
          policy: this.deps.nodeRetry,
          clock: this.deps.clock,
          logger: this.deps.logger,
          key: node.id,
          signal,
          ...(this.opts.deadline !== undefined ? { deadline: this.opts.deadline } : {}),
        });
        if (!outcome.ok) throw new AttemptsError(outcome.error, outcome.attempts);
        const { output, usage, model } = outcome.value;
        return { output, usage, extra: { usage, model, attempts: outcome.attempts } };
      }
    }
  }

  /** One call to the provider, through the governor when there is one (every attempt takes a permit). */
  private callOnce(call: PreparedAiCall, signal: AbortSignal): Promise<AiNodeResult> {
    const g = this.deps.governor;
    if (!g) return call.run(signal);
    const { deadline, governorJob, governorMaxWaitMs } = this.opts;
    return governedCall({
      governor: g.governor,
      clock: this.deps.clock,
      signal,
      maxWaitMs: governorMaxWaitMs ?? g.maxWaitMs,
      model: call.model,
      kind: call.kind,
      estimatedTokens: call.estimatedTokens,
      ...(deadline !== undefined ? { deadline } : {}),
      ...(governorJob ? { job: governorJob } : {}),
      run: () => call.run(signal),
      tokensOf: (r) => r.usage.inputTokens,
    });
  }

  /** Makes a node final, reports it, and releases (or skips) its dependents. */
  private settle(id: string, trace: NodeTrace, notify = true): void {
    if (this.state.get(id) === "final") return;
    this.state.set(id, "final");
    this.trace[id] = trace;
    this.unfinished--;
    if (trace.status === "failed" && trace.error) this.failures.push({ ...trace.error, nodeId: id });
    if (notify) this.notify(id, trace);
    this.deps.logger.debug({ nodeId: id, status: trace.status, durationMs: trace.durationMs }, "node finished");
    const ok = trace.status === "succeeded" || trace.status === "resumed";
    for (const next of this.graph.downstream.get(id) ?? []) {
      if (this.state.get(next) !== "waiting") continue;
      if (!ok) {
        const error: ErrorInfo = { code: "upstream_failed", message: `Skipped: node "${id}" did not succeed`, retryable: false };
        this.settle(next, { status: "skipped", error });
        continue;
      }
      const left = (this.pendingUps.get(next) ?? 1) - 1;
      this.pendingUps.set(next, left);
      if (left === 0 && this.started) this.start(next);
    }
    if (this.unfinished === 0) this.finish();
  }

  private notify(id: string, trace: NodeTrace): void {
    const hook = this.opts.onNodeDone;
    if (!hook) return;
    const output = this.outputs.get(id);
    this.hooks.push(
      Promise.resolve()
        .then(() => hook(id, trace, output))
        .catch(() => this.deps.logger.warn({ nodeId: id }, "onNodeDone failed")),
    );
  }

  /** The run hash of every node with an output; resumed nodes get theirs from the outputs they fed on. */
  private nodeHashes(nodeOutputs: Record<string, NodeOutput>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const id of Object.keys(nodeOutputs)) {
      const node = this.nodes.get(id);
      const hash = this.hashes.get(id) ?? (node ? nodeRunHash(node, this.outputs, this.opts.row) : undefined);
      if (hash !== undefined) out[id] = hash;
    }
    return out;
  }

  private skipWaiting(error: ErrorInfo): void {
    for (const id of this.graph.ids) if (this.state.get(id) === "waiting") this.settle(id, { status: "skipped", error });
  }

  private result(durationMs: number): RowRun {
    const nodeOutputs: Record<string, NodeOutput> = {};
    const outputs: Record<string, NodeOutput> = {};
    for (const [id, node] of this.nodes) {
      const out = this.outputs.get(id);
      if (!out) continue;
      if (node.type === "output") outputs[node.data.name] = out;
      else nodeOutputs[id] = out;
    }
    const run: RowRun = {
      status: "succeeded",
      outputs,
      nodeOutputs,
      nodeHashes: this.nodeHashes(nodeOutputs),
      trace: this.trace,
      usage: this.usage,
      durationMs,
    };
    const skipped = Object.values(this.trace).find((t) => t.status === "skipped");
    const error: RowError | undefined = this.failures[0] ?? skipped?.error;
    if (error) return { ...run, status: "failed", error };
    return run;
  }
}

/** Carries the number of calls made alongside the final error of an AI node. */
class AttemptsError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly attempts: number | undefined,
  ) {
    super("node failed");
  }
}

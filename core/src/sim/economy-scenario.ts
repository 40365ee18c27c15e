/**
 * The simulator's economy mode: one text flow of `layers` chained text nodes over `rows` rows, run
 * twice in virtual time on the offline provider, side by side:
 * - economy: `runTextLayers` (provider jobs that take `batchDelayMs` each, polled every
 *   `pollIntervalMs` doubling up to `maxPollIntervalMs`);
 * - realtime: the workflow engine, `concurrency` rows at a time, each text call `latencyMs`.
 * It reports both makespans, the provider jobs created, polls, and both costs (Gemini prices of
 * `model`), and checks that the two runs' outputs are equal.
 */
import { OfflineAiService } from "../ai/offline";
import { economyRowCost } from "../economy/economy-cost";
import { runTextLayers } from "../economy/layer-run";
import { ServerWorkflowEngine } from "../engine/server-workflow-engine";
import type { NodeOutput } from "../engine/types";
import { ManualClock } from "../testing/manual-clock";
import { MemoryStore } from "../testing/memory-store";
import { parseFlow } from "../flow/parse";
import type { ValidFlow } from "../flow/valid-flow";
import { addUsd, runCostUsd } from "../governor/run-cost";

export interface EconomyScenarioOptions {
  rows: number;
  layers: number;
  concurrency: number;
  latencyMs: number;
  batchDelayMs: number;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  model?: string;
  seed?: number;
}

export interface EconomyReport {
  rows: number;
  layers: number;
  economy: { makespanMs: number; providerJobs: number; polls: number; realtimeTextCalls: number; costUsd: number; layerMs: number[] };
  realtime: { makespanMs: number; textCalls: number; costUsd: number };
  /** economy cost / realtime cost. */
  costRatio: number;
  /** economy makespan / realtime makespan. */
  makespanRatio: number;
  outputsEqual: boolean;
}

/** `title(input) → T0(text) → T1(text) → … → out`. */
export function chainFlow(layers: number, model: string): ValidFlow {
  const nodes: unknown[] = [{ id: "title", type: "input", data: { column: "title" } }];
  const edges: Array<{ source: string; target: string }> = [];
  let prev = "title";
  for (let i = 0; i < layers; i++) {
    nodes.push({ id: `T${i}`, type: "text", data: { model, prompt: `Step ${i}: rewrite {{${prev}}}` } });
    edges.push({ source: prev, target: `T${i}` });
    prev = `T${i}`;
  }
  nodes.push({ id: "out", type: "output", data: { name: "final" } });
  edges.push({ source: prev, target: "out" });
  return parseFlow({ nodes, edges });
}

function countingText(service: OfflineAiService): { ai: OfflineAiService; calls: () => number } {
  let calls = 0;
  const ai = Object.create(service, {
    generateText: { value: (req: Parameters<OfflineAiService["generateText"]>[0]) => ((calls += 1), service.generateText(req)) },
  }) as OfflineAiService;
  return { ai, calls: () => calls };
}

export async function runEconomyScenario(o: EconomyScenarioOptions): Promise<EconomyReport> {
  const model = o.model ?? "gemini-2.5-flash";
  const flow = chainFlow(o.layers, model);
  const rows = Array.from({ length: o.rows }, (_, i) => ({ rowId: `r${i}`, values: { title: `Row ${i} of the overnight batch` } }));
  const last = `T${o.layers - 1}`;

  const eClock = new ManualClock(0);
  const eService = countingText(new OfflineAiService({ clock: eClock, latencyMs: o.latencyMs, batchDelayMs: o.batchDelayMs, seed: o.seed ?? 0 }));
  const running = runTextLayers(
    { store: new MemoryStore(), batches: eService.ai.batches, ai: eService.ai, clock: eClock },
    { jobId: "sim", pass: 0, flow, rows, pollIntervalMs: o.pollIntervalMs ?? 60_000, maxPollIntervalMs: o.maxPollIntervalMs ?? 600_000 },
  );
  await eClock.runUntilIdle();
  const economy = await running;
  const economyMs = eClock.now();
  let economyCost = 0;
  for (const run of economy.rows.values()) economyCost = addUsd(economyCost, economyRowCost(flow, run).costUsd);

  const rClock = new ManualClock(0);
  const rService = countingText(new OfflineAiService({ clock: rClock, latencyMs: o.latencyMs, seed: o.seed ?? 0 }));
  const engine = new ServerWorkflowEngine({ ai: rService.ai, clock: rClock });
  const realtimeOutputs: Array<NodeOutput | undefined> = new Array<NodeOutput | undefined>(rows.length);
  let realtimeCost = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const i = next++;
      const run = await engine.execute({ flow, row: rows[i]!.values });
      realtimeOutputs[i] = run.nodeOutputs[last];
      realtimeCost = addUsd(realtimeCost, runCostUsd(flow, run.trace));
    }
  };
  const pool = Promise.all(Array.from({ length: Math.min(o.concurrency, rows.length) }, worker));
  await rClock.runUntilIdle();
  await pool;
  const realtimeMs = rClock.now();

  const economyOutputs = [...economy.rows.values()].map((r) => r.nodeOutputs.get(last));
  return {
    rows: o.rows,
    layers: o.layers,
    economy: {
      makespanMs: economyMs,
      providerJobs: economy.providerJobs,
      polls: economy.polls,
      realtimeTextCalls: eService.calls(),
      costUsd: economyCost,
      layerMs: economy.layers.map((l) => l.settledAt - l.submittedAt),
    },
    realtime: { makespanMs: realtimeMs, textCalls: rService.calls(), costUsd: realtimeCost },
    costRatio: realtimeCost > 0 ? Math.round((economyCost / realtimeCost) * 1000) / 1000 : 0,
    makespanRatio: realtimeMs > 0 ? Math.round((economyMs / realtimeMs) * 100) / 100 : 0,
    outputsEqual: JSON.stringify(economyOutputs) === JSON.stringify(realtimeOutputs),
  };
}

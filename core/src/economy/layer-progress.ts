/**
 * What a job shows about its provider batch jobs: per layer, the jobs' provider states, how many
 * requests they hold and how long the oldest unsettled one has been waiting. Read from the
 * provider-job records (one small query), so the API, SSE and `onSnapshot` views can all show it.
 */
import type { ProviderJobState } from "../ai/batch-port";
import type { DocumentStore } from "../ports/store";
import { ProviderJobRecord, providerJobsCollection } from "./provider-job-record";

export type LayerStateName = ProviderJobState | "submitting" | "fallback" | "settled";

export interface LayerProgress {
  layer: number;
  providerJobs: number;
  requests: number;
  /** Provider jobs per state; an intent not yet at the provider counts as `submitting`. */
  states: Partial<Record<LayerStateName, number>>;
  /** Since the oldest unsettled job of the layer was recorded (0 when all are settled). */
  waitingMs: number;
  /** Every provider job of the layer is settled: its rows moved on. */
  done: boolean;
}

export function layerProgress(records: readonly ProviderJobRecord[], now: number): LayerProgress[] {
  const byLayer = new Map<number, ProviderJobRecord[]>();
  for (const r of records) byLayer.set(r.layer, [...(byLayer.get(r.layer) ?? []), r]);
  return [...byLayer.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([layer, list]) => {
      const states: Partial<Record<LayerStateName, number>> = {};
      for (const r of list) {
        const name = stateName(r);
        states[name] = (states[name] ?? 0) + 1;
      }
      const open = list.filter((r) => r.status !== "settled");
      const oldest = Math.min(...open.map((r) => r.createdAt));
      return {
        layer,
        providerJobs: list.length,
        requests: list.reduce((n, r) => n + r.requestCount, 0),
        states,
        waitingMs: open.length > 0 ? Math.max(0, now - oldest) : 0,
        done: open.length === 0,
      };
    });
}

function stateName(r: ProviderJobRecord): LayerStateName {
  if (r.status === "intent") return "submitting";
  if (r.status === "settled") return r.outcome === "fallback" ? "fallback" : (r.state ?? "settled");
  return r.state ?? "pending";
}

export async function readLayerProgress(store: DocumentStore, jobId: string, now: number): Promise<LayerProgress[]> {
  const docs = await store.query(providerJobsCollection(jobId));
  return layerProgress(
    docs.map((d) => ProviderJobRecord.parse(d.data)),
    now,
  );
}

/**
 * The economy progress stored on the job document (`job.economy`), so the HTTP API, SSE and
 * Firestore `onSnapshot` all show the same thing: per layer, the provider jobs' states, their
 * request count and since when the oldest unsettled one has been waiting; and what the same
 * batch would have cost realtime. Absolute times (epoch ms), so a client can tick "waiting for".
 */
import { z } from "zod";

export const LAYER_STATE_NAMES = ["submitting", "pending", "running", "succeeded", "failed", "cancelled", "expired", "fallback", "settled"] as const;

export const LayerSummary = z.object({
  layer: z.number().int().nonnegative(),
  providerJobs: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  /** Provider jobs per state (an intent not yet at the provider counts as `submitting`). */
  states: z.record(z.string(), z.number().int().nonnegative()),
  /** When the oldest unsettled provider job of the layer was recorded; null when all are settled. */
  waitingSince: z.number().nullable(),
  /** Every provider job of the layer is settled: its rows moved on. */
  done: z.boolean(),
});
export type LayerSummary = z.infer<typeof LayerSummary>;

export const EconomyProgress = z.object({
  layers: z.array(LayerSummary),
  /** What the work done so far would have cost at the realtime price (USD). */
  realtimeCostUsd: z.number().nonnegative().default(0),
  updatedAt: z.number(),
});
export type EconomyProgress = z.infer<typeof EconomyProgress>;

/**
 * Which economy driver a function instance gets (README "Economy mode"; param ECONOMY_BATCH_JOBS).
 * On, with a provider that has batch jobs (`gemini` with the key, `offline`; never `vertex`): the
 * functions bound to the key (the row task function, which runs the layer and poll tasks) get the
 * provider's batch jobs, the others an economy driver without them (they start economy jobs the
 * economy way and record cancels; the next poll cancels the provider jobs). Off: none, and economy
 * batches run realtime. Pure, so the functions tests build their deps with the same rule.
 */
import type { EconomyDeps, ProviderBatchJobs } from "@flowcraft/core";

export interface EconomyChoice {
  /** ECONOMY_BATCH_JOBS at run time. */
  enabled: boolean;
  /** AI_PROVIDER at run time. */
  provider: string;
  /** The instance's provider batch jobs (absent in functions not bound to the key). */
  batches?: ProviderBatchJobs | undefined;
  /** Poll intervals, deadline and fallback (absent: the core's defaults). */
  settings?: Omit<EconomyDeps, "batches">;
}

export function economyDepsFor(o: EconomyChoice): { economy?: EconomyDeps } {
  if (!o.enabled || o.provider === "vertex") return {};
  return { economy: { ...o.settings, ...(o.batches ? { batches: o.batches } : {}) } };
}

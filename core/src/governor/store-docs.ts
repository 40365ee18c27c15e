/**
 * The documents of the store-backed governor (design: core/ARCHITECTURE.md, "Governor on
 * Firestore"), their schemas and the pure rules over them:
 * - `settings/governor` `{limits, updatedAt, updatedBy}`: the admin's overrides over the defaults;
 * - `governor/{model}` `{effRpm, cutFrom?, lastCutAt, retryUntil}`: the shared adaptive rate,
 *   written only when a 429 cuts it (growth back is a function of time, so successes write nothing);
 * - `governor/{model}/shards/{i}` `{windows, day, dayGranted}`: request capacity handed out per
 *   window (and per provider day) by shard i;
 * - `governor/~slots/keys/{key}` `{leases: {instanceId: {n, until}}}`: concurrency slots leased
 *   by instances for the model key and the per-job keys.
 * Document ids are the URI-encoded model or key, so any model name is a valid path segment.
 */
import { z } from "zod";
import type { DocumentStore } from "../ports/store";
import type { AimdPolicy } from "./aimd";
import { mergeLimits } from "./defaults";
import { LimitsTable, type ModelLimits } from "./port";

export const GOVERNOR_SETTINGS_PATH = "settings/governor";

export const GovernorSettingsDoc = z.object({
  limits: LimitsTable,
  /** Epoch ms of the last change. */
  updatedAt: z.number(),
  /** Who changed it (a user id, or `governor:{instance}` for a change through the port). */
  updatedBy: z.string(),
});
export type GovernorSettingsDoc = z.infer<typeof GovernorSettingsDoc>;

export const SharedRate = z.object({
  /** The rate right after the last cut (requests/min). */
  effRpm: z.number().positive(),
  /** The rate in force just before the cut: the growth base when no RPM limit is configured. */
  cutFrom: z.number().positive().optional(),
  lastCutAt: z.number(),
  /** No start for this model before this time (the Retry-After of the cutting 429). */
  retryUntil: z.number(),
});
export type SharedRate = z.infer<typeof SharedRate>;

const WindowUse = z.object({ capacity: z.number().int().nonnegative().nullable(), granted: z.number().int().nonnegative() });
export const ShardDoc = z.object({
  /** Window start (epoch ms, as a string key) → capacity (null = unlimited) and requests handed out. */
  windows: z.record(z.string(), WindowUse),
  day: z.number().int(),
  dayGranted: z.number().int().nonnegative(),
});
export type ShardDoc = z.infer<typeof ShardDoc>;

export const SlotDoc = z.object({ leases: z.record(z.string(), z.object({ n: z.number().int().nonnegative(), until: z.number() })) });
export type SlotDoc = z.infer<typeof SlotDoc>;

export function docIdOf(name: string): string {
  return encodeURIComponent(name).replace(/\./g, "%2E");
}
export function modelDocPath(model: string): string {
  return `governor/${docIdOf(model)}`;
}
export function shardDocPath(model: string, shard: number): string {
  return `${modelDocPath(model)}/shards/${shard}`;
}
export function slotDocPath(key: string): string {
  return `governor/~slots/keys/${docIdOf(key)}`;
}

/**
 * The shared rate in force at `now`: the cut rate grown by `increasePerMinute · base` per minute
 * since the cut (the same slope as the in-memory AIMD at full rate), capped by the limit; undefined
 * once it is back at the limit (or, with no limit, at twice the rate it was cut from).
 */
export function rateAt(shared: SharedRate | null, limitRpm: number | undefined, now: number, policy: AimdPolicy): number | undefined {
  if (!shared) return limitRpm;
  const base = limitRpm ?? shared.cutFrom ?? shared.effRpm;
  const ceiling = limitRpm ?? 2 * base;
  const grown = shared.effRpm + (policy.increasePerMinute * base * Math.max(0, now - shared.lastCutAt)) / 60_000;
  return grown >= ceiling ? limitRpm : grown;
}

/** Splits `total` over `parts` shards, the remainder going to the first ones; null = unlimited. */
export function shareOf(total: number | null, parts: number, index: number): number | null {
  if (total === null) return null;
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/** The settings document, or null when no admin has set limits yet. */
export async function readGovernorSettings(store: DocumentStore): Promise<GovernorSettingsDoc | null> {
  const doc = await store.get(GOVERNOR_SETTINGS_PATH);
  return doc ? GovernorSettingsDoc.parse(doc.data) : null;
}

/**
 * Changes the settings document in one transaction. `replace` sets the overrides to exactly
 * `limits` (the admin callable); otherwise they are merged in, a `null` entry removing a model's
 * override (the port's `setLimits`). Returns the document written.
 */
export async function writeGovernorSettings(
  store: DocumentStore,
  o: { limits: Record<string, ModelLimits | null>; replace: boolean; updatedAt: number; updatedBy: string },
): Promise<GovernorSettingsDoc> {
  return store.runTransaction(async (tx) => {
    const doc = await tx.get(GOVERNOR_SETTINGS_PATH);
    const before = doc ? GovernorSettingsDoc.parse(doc.data).limits : {};
    const limits = LimitsTable.parse(o.replace ? mergeLimits(o.limits) : mergeLimits(before, o.limits));
    const next: GovernorSettingsDoc = { limits, updatedAt: o.updatedAt, updatedBy: o.updatedBy };
    tx.set(GOVERNOR_SETTINGS_PATH, next);
    return next;
  });
}

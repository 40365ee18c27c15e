/**
 * Admin settings of the AI-call governor: the per-model limits every batch of the deployment
 * shares, kept in `settings/governor` `{limits, updatedAt, updatedBy}` (the overrides over the
 * documented defaults). Only callers whose ID token carries the custom claim `admin: true`; set it
 * with the Admin SDK (`getAuth().setCustomUserClaims(uid, {admin: true})`, docs/firebase.md).
 * A change takes effect without a redeploy: every function instance re-reads the document within
 * its refresh window (5 s, `StoreGovernor`).
 */
import { DEFAULT_MODEL_LIMITS, readGovernorSettings, writeGovernorSettings, type LimitsTable } from "@flowcraft/core";
import { BATCH_CALLABLE_TIMEOUT_SECONDS } from "../config/function-options";
import { defineCallable } from "../http/define-callable";
import { GetGovernorSettingsInput, SetGovernorSettingsInput } from "./schemas";

export interface GovernorSettingsAnswer {
  /** The admin's overrides (empty when none were set). */
  limits: LimitsTable;
  /** The built-in defaults the overrides layer over. */
  defaults: LimitsTable;
  updatedAt: number | null;
  updatedBy: string | null;
}

const common = { timeoutSeconds: BATCH_CALLABLE_TIMEOUT_SECONDS, memory: "256MiB", adminOnly: true } as const;

/** `{} → {limits, defaults, updatedAt, updatedBy}`. */
export const getGovernorSettings = defineCallable({
  ...common,
  name: "getGovernorSettings",
  input: GetGovernorSettingsInput,
  run: async (_input, { deps }): Promise<GovernorSettingsAnswer> => {
    const doc = await readGovernorSettings(deps.store);
    return { limits: doc?.limits ?? {}, defaults: DEFAULT_MODEL_LIMITS, updatedAt: doc?.updatedAt ?? null, updatedBy: doc?.updatedBy ?? null };
  },
});

/** `{limits} → {limits, defaults, updatedAt, updatedBy}`: replaces the overrides with `limits`. */
export const setGovernorSettings = defineCallable({
  ...common,
  name: "setGovernorSettings",
  input: SetGovernorSettingsInput,
  run: async ({ limits }, { uid, deps }): Promise<GovernorSettingsAnswer> => {
    const doc = await writeGovernorSettings(deps.store, { limits, replace: true, updatedAt: deps.clock.now(), updatedBy: uid });
    deps.logger.info({ uid, models: Object.keys(doc.limits) }, "governor limits changed");
    return { ...doc, defaults: DEFAULT_MODEL_LIMITS };
  },
});

/**
 * Admin settings of the AI-call governor: the per-model limits every batch of the deployment
 * shares, kept in `settings/governor` `{limits, updatedAt, updatedBy}` (the overrides over the
 * documented defaults). Only callers whose ID token carries the custom claim `admin: true`; set it
 * with the Admin SDK (`getAuth().setCustomUserClaims(uid, {admin: true})`, docs/firebase.md).
 * A change takes effect without a redeploy: every function instance re-reads the document within
 * its refresh window (5 s, `StoreGovernor`).
 */
import {
  DEFAULT_MODEL_LIMITS,
  StoreGovernor,
  governorSettings,
  overridesAfter,
  readGovernorSettings,
  writeGovernorSettings,
  type GovernorSettings,
  type LimitsTable,
} from "@flowcraft/core";
import { BATCH_CALLABLE_TIMEOUT_SECONDS } from "../config/function-options";
import { defineCallable } from "../http/define-callable";
import type { FunctionsDeps } from "../runtime/deps";
import { GetGovernorSettingsInput, SetGovernorSettingsInput } from "./schemas";

/**
 * The same view the local host's `GET /api/settings/limits` answers (defaults, override and what
 * applies per model, with this instance's view of the adaptive rate), plus who changed it and when.
 */
export interface GovernorSettingsAnswer extends GovernorSettings {
  updatedAt: number | null;
  updatedBy: string | null;
}

const common = { timeoutSeconds: BATCH_CALLABLE_TIMEOUT_SECONDS, memory: "256MiB", adminOnly: true } as const;

async function answer(deps: FunctionsDeps, overrides: LimitsTable, updatedAt: number | null, updatedBy: string | null): Promise<GovernorSettingsAnswer> {
  // The instance's own governor knows the adaptive rate it leased under; without one (a test
  // harness), a governor over the same store reads the shared state.
  const governor = deps.governor ?? new StoreGovernor({ store: deps.store, clock: deps.clock, instanceId: "settings", defaults: DEFAULT_MODEL_LIMITS });
  const view = await governorSettings({ governor, defaults: DEFAULT_MODEL_LIMITS, overrides });
  return { ...view, updatedAt, updatedBy };
}

/** `{} → GovernorSettingsAnswer`. */
export const getGovernorSettings = defineCallable({
  ...common,
  name: "getGovernorSettings",
  input: GetGovernorSettingsInput,
  run: async (_input, { deps }): Promise<GovernorSettingsAnswer> => {
    const doc = await readGovernorSettings(deps.store);
    return answer(deps, doc?.limits ?? {}, doc?.updatedAt ?? null, doc?.updatedBy ?? null);
  },
});

/**
 * `{limits} → GovernorSettingsAnswer`: each model named in `limits` gets exactly that override
 * (`null` or `{}` puts it back on its default); models not named keep theirs. The same rule as
 * the local host's `PUT /api/settings/limits`.
 */
export const setGovernorSettings = defineCallable({
  ...common,
  name: "setGovernorSettings",
  input: SetGovernorSettingsInput,
  run: async ({ limits }, { uid, deps }): Promise<GovernorSettingsAnswer> => {
    const current = (await readGovernorSettings(deps.store))?.limits ?? {};
    const next = overridesAfter(current, limits);
    const doc = await writeGovernorSettings(deps.store, { limits: next, replace: true, updatedAt: deps.clock.now(), updatedBy: uid });
    deps.logger.info({ uid, models: Object.keys(limits) }, "governor limits changed");
    return answer(deps, doc.limits, doc.updatedAt, doc.updatedBy);
  },
});

/**
 * Whether callables enforce App Check. firebase-functions reads `enforceAppCheck` when a callable
 * is defined (module load in the running instance), so this reads the environment directly, where
 * the CLI puts every resolved param at deploy and in the emulator. Unset means enforced (a missing
 * setting must not open the AI callables). The emulator never enforces: browsers talking to it
 * have no reCAPTCHA site, and it sets FUNCTIONS_EMULATOR=true in every function's environment.
 */
import { ENFORCE_APP_CHECK } from "./params";

export function appCheckEnforced(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FUNCTIONS_EMULATOR === "true") return false;
  return env[ENFORCE_APP_CHECK.name] !== "false";
}

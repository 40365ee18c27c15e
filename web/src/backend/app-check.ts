/**
 * App Check for the Firebase backend: the callables refuse requests without a valid App Check
 * token in production (functions' ENFORCE_APP_CHECK), so the app attests itself with reCAPTCHA
 * Enterprise. A debug token stands in where reCAPTCHA cannot run: against the emulators (which do
 * not enforce, but a debug token lets the same build talk to a real project) and on CI or
 * localhost builds given VITE_APPCHECK_DEBUG_TOKEN (register that token in the Firebase console).
 * Without a site key App Check stays off: fine for the emulators, refused by a production project.
 */
import type { FirebaseApp } from "firebase/app";
import { ReCaptchaEnterpriseProvider, initializeAppCheck, type AppCheck } from "firebase/app-check";

export interface AppCheckEnv {
  siteKey: string;
  debugToken: string;
  useEmulators: boolean;
}

export type AppCheckPlan =
  | { kind: "off" }
  /** `debugToken`: a registered token, or `true` for the SDK to make one and log it. */
  | { kind: "recaptcha-enterprise"; siteKey: string; debugToken?: string | true };

export function appCheckPlan(env: AppCheckEnv): AppCheckPlan {
  if (env.siteKey === "") return { kind: "off" };
  if (env.debugToken !== "") return { kind: "recaptcha-enterprise", siteKey: env.siteKey, debugToken: env.debugToken };
  if (env.useEmulators) return { kind: "recaptcha-enterprise", siteKey: env.siteKey, debugToken: true };
  return { kind: "recaptcha-enterprise", siteKey: env.siteKey };
}

/** Starts App Check before any callable runs; the SDK then attaches a token to every call. */
export function startAppCheck(app: FirebaseApp, plan: AppCheckPlan): AppCheck | null {
  if (plan.kind === "off") return null;
  if (plan.debugToken !== undefined) {
    // The SDK reads this global when App Check starts (debug provider in place of reCAPTCHA).
    (globalThis as { FIREBASE_APPCHECK_DEBUG_TOKEN?: string | true }).FIREBASE_APPCHECK_DEBUG_TOKEN = plan.debugToken;
  }
  return initializeAppCheck(app, { provider: new ReCaptchaEnterpriseProvider(plan.siteKey), isTokenAutoRefreshEnabled: true });
}

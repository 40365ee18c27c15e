/**
 * Build-time configuration from Vite env vars. Only public values live here: the Firebase web
 * config is not a secret (access is enforced by Auth and security rules), and the Gemini key is
 * only ever read by the servers.
 */
import type { BackendKind } from "./types";

export interface FirebaseWebConfig {
  apiKey: string;
  authDomain: string;
  projectId: string;
  storageBucket: string;
  appId: string;
}

export interface AppEnv {
  backend: BackendKind;
  /** Local host API origin; empty = the origin that served the app. */
  apiBase: string;
  firebase: FirebaseWebConfig;
  region: string;
  useEmulators: boolean;
  emulatorHost: string;
  /** App Check (app-check.ts): reCAPTCHA Enterprise site key and an optional debug token. */
  appCheck: { siteKey: string; debugToken: string };
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : fallback;
}

/**
 * The variables the app reads, each named in full: Vite inlines exactly these. Passing
 * `import.meta.env` itself would inline the whole object, i.e. every VITE_* variable of the build
 * machine, so a stray `VITE_GEMINI_API_KEY` in an .env file would ship in the public bundle.
 */
function viteEnv(): Record<string, unknown> {
  return {
    VITE_BACKEND: import.meta.env.VITE_BACKEND,
    VITE_API_BASE: import.meta.env.VITE_API_BASE,
    VITE_FIREBASE_API_KEY: import.meta.env.VITE_FIREBASE_API_KEY,
    VITE_FIREBASE_AUTH_DOMAIN: import.meta.env.VITE_FIREBASE_AUTH_DOMAIN,
    VITE_FIREBASE_PROJECT_ID: import.meta.env.VITE_FIREBASE_PROJECT_ID,
    VITE_FIREBASE_STORAGE_BUCKET: import.meta.env.VITE_FIREBASE_STORAGE_BUCKET,
    VITE_FIREBASE_APP_ID: import.meta.env.VITE_FIREBASE_APP_ID,
    VITE_FIREBASE_REGION: import.meta.env.VITE_FIREBASE_REGION,
    VITE_USE_EMULATORS: import.meta.env.VITE_USE_EMULATORS,
    VITE_EMULATOR_HOST: import.meta.env.VITE_EMULATOR_HOST,
    VITE_RECAPTCHA_ENTERPRISE_SITE_KEY: import.meta.env.VITE_RECAPTCHA_ENTERPRISE_SITE_KEY,
    VITE_APPCHECK_DEBUG_TOKEN: import.meta.env.VITE_APPCHECK_DEBUG_TOKEN,
  };
}

export function readEnv(env: Record<string, unknown> = viteEnv()): AppEnv {
  const projectId = str(env.VITE_FIREBASE_PROJECT_ID, "demo-flowcraft");
  return {
    backend: str(env.VITE_BACKEND, "local") === "firebase" ? "firebase" : "local",
    apiBase: str(env.VITE_API_BASE, ""),
    firebase: {
      // "demo-" projects work only against emulators; the fake key is what the emulators accept.
      apiKey: str(env.VITE_FIREBASE_API_KEY, "demo-api-key"),
      authDomain: str(env.VITE_FIREBASE_AUTH_DOMAIN, `${projectId}.firebaseapp.com`),
      projectId,
      storageBucket: str(env.VITE_FIREBASE_STORAGE_BUCKET, `${projectId}.appspot.com`),
      appId: str(env.VITE_FIREBASE_APP_ID, "demo-app"),
    },
    region: str(env.VITE_FIREBASE_REGION, "us-central1"),
    useEmulators: str(env.VITE_USE_EMULATORS, "false") === "true",
    emulatorHost: str(env.VITE_EMULATOR_HOST, "127.0.0.1"),
    appCheck: { siteKey: str(env.VITE_RECAPTCHA_ENTERPRISE_SITE_KEY, ""), debugToken: str(env.VITE_APPCHECK_DEBUG_TOKEN, "") },
  };
}

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
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : fallback;
}

export function readEnv(env: Record<string, unknown> = import.meta.env): AppEnv {
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
  };
}

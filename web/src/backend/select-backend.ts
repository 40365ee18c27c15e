/** Picks the backend from `VITE_BACKEND` (default local). Firebase is loaded only when chosen. */
import { readEnv } from "./env";
import { LocalBackend } from "./local-backend";
import type { BatchBackend } from "./types";

export async function createBackend(): Promise<BatchBackend> {
  const env = readEnv();
  if (env.backend === "firebase") {
    const { FirebaseBackend } = await import("./firebase-backend");
    return new FirebaseBackend(env);
  }
  return new LocalBackend(env.apiBase);
}

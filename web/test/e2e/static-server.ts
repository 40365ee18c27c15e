/**
 * Builds the web app in Firebase mode (pointed at the emulator ports) into a cache directory and
 * serves it with `vite preview` on a free loopback port, for the Firebase-mode browser test.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort, ROOT } from "./harness";

const OUT = path.join(ROOT, "node_modules/.cache/flowcraft/web-firebase-dist");

export function buildFirebaseBundle(): string {
  const env = { ...process.env, VITE_BACKEND: "firebase", VITE_USE_EMULATORS: "true", VITE_FIREBASE_PROJECT_ID: "demo-flowcraft" };
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--outDir", OUT, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: path.join(ROOT, "web"),
    env,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error(`vite build (Firebase mode) failed with exit ${String(r.status)}`);
  return OUT;
}

export interface StaticServer {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function servePreview(outDir: string): Promise<StaticServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules/vite/bin/vite.js"), "preview", "--outDir", outDir, "--port", String(port), "--host", "127.0.0.1", "--strictPort"],
    {
      cwd: path.join(ROOT, "web"),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(baseUrl + "/").then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`vite preview did not start; output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export function firebaseBundleExists(): boolean {
  return fs.existsSync(path.join(OUT, "index.html"));
}

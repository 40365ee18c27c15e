/** Runs the built CLI / server bundles as child processes for end-to-end tests. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

export const LOCAL = path.resolve(__dirname, "../..");

/** Builds local/dist once per test file (the bin would do the same when stale). */
export function buildBundles(): void {
  const r = spawnSync(process.execPath, [path.join(LOCAL, "bin/build.js")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <script> ...args` to completion (asynchronously: in-process fake servers keep serving). */
export function runNode(script: string, args: string[], env: Record<string, string | undefined> = {}, cwd = LOCAL): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...cleanEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The parent's environment without provider settings, so tests choose them explicitly. */
export function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.GEMINI_API_KEY;
  delete env.GOOGLE_GEMINI_BASE_URL;
  delete env.FLOWCRAFT_DATA_DIR;
  delete env.FLOWCRAFT_OFFLINE_LATENCY_MS;
  delete env.PORT;
  return env;
}

/** Starts `node local/dist/main.js serve ...` and resolves its port once it prints the URL. */
export function startServe(args: string[], env: Record<string, string | undefined> = {}): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(LOCAL, "dist/main.js"), "serve", "--port", "0", ...args], {
      env: { ...cleanEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /FlowCraft Batch listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

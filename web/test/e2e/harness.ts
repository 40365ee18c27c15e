/**
 * Process plumbing for the browser tests: build what is stale, start the real local host on a free
 * loopback port with a temp data dir and the offline provider, launch Debian's Chromium, and
 * stop everything afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { buildStale, targetsNamed } from "../../../scripts/build-stamp";

/** The repository root, found from the working directory (the script itself runs from a bundle cache). */
function findRoot(): string {
  let dir = process.cwd();
  while (!fs.existsSync(path.join(dir, "local", "package.json")) || !fs.existsSync(path.join(dir, "web", "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the repository root (with local/ and web/) from the current directory");
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot();

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Builds the named workspaces whose sources changed since their last build, by the same
 * source-hash stamps as `npm start` (scripts/build-stamp.js), so both agree on what is stale.
 * FLOWCRAFT_E2E_REBUILD=1 builds them all the same.
 */
export function buildIfStale(...workspaces: Array<"web" | "local">): void {
  buildStale(ROOT, targetsNamed(workspaces), { force: process.env.FLOWCRAFT_E2E_REBUILD === "1", log: (line) => console.log(`${line}…`) });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  baseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
  log(): string;
}

export async function startLocalHost(opts: { latencyMs: number }): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-e2e-data-"));
  const env: NodeJS.ProcessEnv = { ...process.env, FLOWCRAFT_OFFLINE_LATENCY_MS: String(opts.latencyMs) };
  delete env.GEMINI_API_KEY;
  delete env.GOOGLE_API_KEY;
  const child: ChildProcess = spawn(process.execPath, ["local/dist/main.js", "serve", "--port", String(port), "--host", "127.0.0.1", "--data-dir", dataDir], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local host did not start within 30 s; output:\n${output}`)), 30_000);
    const check = (): void => {
      if (output.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`local host exited (code ${String(code)}) before listening; output:\n${output}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { baseUrl, dataDir, stop, log: () => output };
}

export interface Browser {
  context: BrowserContext;
  downloadsDir: string;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-e2e-profile-"));
  const downloadsDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-e2e-downloads-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    downloadsPath: downloadsDir,
    viewport: { width: 1440, height: 900 },
    locale: "en-US",
  });
  return {
    context,
    downloadsDir,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
      fs.rmSync(downloadsDir, { recursive: true, force: true });
    },
  };
}

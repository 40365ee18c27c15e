/**
 * Ctrl-C exits 130 whichever way the command was started. The signal goes to the whole process
 * group, as a terminal sends it, so through `npx` the child gets two copies (the terminal's and
 * the one npm forwards) and must still cancel cleanly and write its results. The status compared
 * is the one a shell shows: the exit code, or 128 + the signal number for a process killed by one.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOCAL, buildBundles, cleanEnv } from "./support/child";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { onInterrupt } from "../src/cli/interrupt";
import { REPO } from "./support/test-server";

let dir: string;
beforeAll(() => buildBundles());
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-sigint-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Interrupted {
  status: number;
  stderr: string;
}

/** Starts `command` in its own process group, sends `signal` to the group once `ready` shows on stderr. */
function interruptWhen(command: string[], ready: RegExp, signal: NodeJS.Signals = "SIGINT"): Promise<Interrupted> {
  const child = spawn(command[0]!, command.slice(1), { cwd: REPO, env: cleanEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let sent = false;
  const onOutput = (c: Buffer): void => {
    stderr += c.toString();
    if (!sent && ready.test(stderr)) {
      sent = true;
      process.kill(-child.pid!, signal);
    }
  };
  child.stdout.on("data", onOutput);
  child.stderr.on("data", onOutput);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, sig) => resolve({ status: code ?? 128 + os.constants.signals[sig!], stderr }));
  });
}

function runArgs(): string[] {
  const flow = path.join(dir, "flow.json");
  fs.writeFileSync(flow, JSON.stringify(TEXT_FLOW));
  const rows = path.join(dir, "rows.csv");
  fs.writeFileSync(rows, csvOf(["[[slow:1500]] a", "[[slow:1500]] b", "[[slow:1500]] c"]));
  return ["run", flow, rows, "--concurrency", "1", "--out", path.join(dir, "out.csv")];
}

function expectResultsWritten(): void {
  const lines = fs.readFileSync(path.join(dir, "out.csv"), "utf8").trim().split(/\r?\n/);
  expect(lines).toHaveLength(4);
  expect(lines.slice(1).map((l) => l.split(",")[2])).toContain("cancelled");
}

describe("Ctrl-C", () => {
  it("run: node local/dist/main.js cancels, writes the results and exits 130", async () => {
    const r = await interruptWhen([process.execPath, path.join(LOCAL, "dist/main.js"), ...runArgs()], /batch \S+:/);
    expect(r.status).toBe(130);
    expectResultsWritten();
  });

  it("run: npx flowcraft-batch does the same despite npm's second copy of the signal", async () => {
    const r = await interruptWhen(["npx", "--no-install", "flowcraft-batch", ...runArgs()], /batch \S+:/);
    expect(r.status).toBe(130);
    expect(r.stderr).toContain("results:");
    expectResultsWritten();
  });

  it("serve: exits 130 on Ctrl-C and 0 on SIGTERM", async () => {
    const serve = [process.execPath, path.join(LOCAL, "dist/main.js"), "serve", "--port", "0", "--data-dir", path.join(dir, "data")];
    const interrupted = await interruptWhen(serve, /listening on/);
    expect(interrupted.status).toBe(130);
    expect(interrupted.stderr).toContain("shutting down");
    const terminated = await interruptWhen(serve, /listening on/, "SIGTERM");
    expect(terminated.status).toBe(0);
  });
});

describe("onInterrupt", () => {
  it("takes a second SIGINT within the window as a copy of the first, and a later one as a forced exit", () => {
    let t = 0;
    const calls: string[] = [];
    const interrupt = onInterrupt({ stop: () => calls.push("stop"), force: () => calls.push("force"), now: () => t, sameKeypressMs: 1_000 });
    try {
      expect(interrupt.interrupted).toBe(false);
      process.emit("SIGINT", "SIGINT");
      t = 10;
      process.emit("SIGINT", "SIGINT");
      expect(calls).toEqual(["stop"]);
      t = 2_000;
      process.emit("SIGINT", "SIGINT");
      expect(calls).toEqual(["stop", "force"]);
      expect(interrupt.interrupted).toBe(true);
    } finally {
      interrupt.dispose();
    }
  });
});

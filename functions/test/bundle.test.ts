/**
 * The deployable bundle: `functions/` must install and load on its own, as Cloud Build does.
 *   1. The bundle (built into a temp dir) requires only Node built-ins and the registry packages
 *      listed in functions/package.json `dependencies` (the workspace core is inlined).
 *   2. functions/package.json + lib installed in a temp dir with `npm install --omit=dev` load in a
 *      separate Node process and export every function, with the deploy metadata the Firebase CLI
 *      reads (`__endpoint`): triggers, retry, rate limits, timeouts, and the Gemini secret bound
 *      only to the functions that call the AI. Needs the npm registry (or a warm npm cache): it is
 *      skipped, saying so, when `npm ping` fails or FLOWCRAFT_SKIP_BUNDLE_INSTALL is set.
 */
import { execFileSync } from "node:child_process";
import { builtinModules } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const functionsDir = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(functionsDir, "package.json"), "utf8")) as {
  main: string;
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
};

const EXPECTED_EXPORTS = [
  "cancelBatch",
  "createBatch",
  "deleteBatch",
  "estimateBatch",
  "generateImage",
  "generateText",
  "generateVideo",
  "getGovernorSettings",
  "getWebhookSecret",
  "listBatchRows",
  "onBatchJobCreated",
  "onBatchResultCreated",
  "onWebhookEventCreated",
  "pauseBatch",
  "previewFlow",
  "purgeExpiredBatches",
  "reconcileBatches",
  "rerunRows",
  "resumeBatch",
  "retryFailedRows",
  "rotateWebhookSecret",
  "runBatchRow",
  "setBatchConcurrency",
  "setGovernorSettings",
  "signMediaLinks",
  "startBatch",
];
const AI_FUNCTIONS = ["estimateBatch", "generateImage", "generateText", "generateVideo", "previewFlow", "runBatchRow"];

function buildInto(dir: string): string {
  const outfile = path.join(dir, pkg.main);
  execFileSync(process.execPath, [path.join(functionsDir, "scripts/build.js"), "--outfile", outfile], { stdio: "pipe" });
  return outfile;
}

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

function registryReachable(): string | null {
  if (process.env.FLOWCRAFT_SKIP_BUNDLE_INSTALL) return "FLOWCRAFT_SKIP_BUNDLE_INSTALL is set";
  try {
    execFileSync("npm", ["ping"], { stdio: "pipe", timeout: 20_000 });
    return null;
  } catch {
    return "the npm registry is unreachable (npm ping failed)";
  }
}

describe("functions bundle", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-functions-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("lists only registry packages and inlines the workspace code", () => {
    expect(pkg.main).toBe("lib/index.js");
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith("@flowcraft/"))).toEqual([]);
    const code = fs.readFileSync(buildInto(path.join(tmp, "static")), "utf8");
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string));
    const external = [...required].filter((s) => !s.startsWith("node:") && !builtinModules.includes(s)).map(packageOf);
    expect(external.length).toBeGreaterThan(0);
    for (const name of external) expect(Object.keys(pkg.dependencies)).toContain(name);
    expect(code).not.toContain("@flowcraft/core");
  });

  it("keeps Cloud Build from rebuilding the uploaded bundle", () => {
    // Cloud Build runs `npm run build` when package.json has one, unless `gcp-build` is defined:
    // the upload holds lib/ but not src/ or scripts/ (firebase.json ignores them), nor esbuild.
    if (pkg.scripts.build !== undefined) expect(pkg.scripts["gcp-build"]).toBe("");
  });

  const skipReason = registryReachable();
  const installIt = skipReason ? it.skip : it;
  installIt(
    `installs with --omit=dev and loads on its own${skipReason ? ` (skipped: ${skipReason})` : ""}`,
    () => {
      const dir = path.join(tmp, "deploy");
      buildInto(dir);
      fs.copyFileSync(path.join(functionsDir, "package.json"), path.join(dir, "package.json"));
      execFileSync("npm", ["install", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], {
        cwd: dir,
        stdio: "pipe",
        timeout: 240_000,
      });
      const probe = `
      const m = require("./${pkg.main}");
      const out = {};
      for (const [name, fn] of Object.entries(m)) {
        const e = fn.__endpoint || {};
        out[name] = {
          kind: Object.keys(e).find((k) => k.endsWith("Trigger")) || null,
          secrets: (e.secretEnvironmentVariables || []).map((s) => s.key),
          timeout: e.timeoutSeconds,
          retry: e.eventTrigger ? e.eventTrigger.retry : undefined,
          queue: e.taskQueueTrigger ? { retry: e.taskQueueTrigger.retryConfig, rate: e.taskQueueTrigger.rateLimits } : undefined,
        };
      }
      process.stdout.write(JSON.stringify(out));`;
      const stdout = execFileSync(process.execPath, ["-e", probe], {
        cwd: dir,
        env: { PATH: process.env.PATH, GCLOUD_PROJECT: "demo-flowcraft", NODE_PATH: "" },
        stdio: ["ignore", "pipe", "pipe"],
      }).toString();
      const endpoints = JSON.parse(stdout) as Record<
        string,
        { kind: string; secrets: string[]; timeout: number; retry?: boolean; queue?: { retry: { maxAttempts: number }; rate: unknown } }
      >;
      expect(Object.keys(endpoints).sort()).toEqual(EXPECTED_EXPORTS);
      for (const [name, e] of Object.entries(endpoints)) {
        expect([name, e.secrets]).toEqual([name, AI_FUNCTIONS.includes(name) ? ["GEMINI_API_KEY"] : []]);
      }
      expect(endpoints.createBatch!.kind).toBe("callableTrigger");
      expect(endpoints.onBatchResultCreated).toMatchObject({ kind: "eventTrigger", retry: true });
      expect(endpoints.onWebhookEventCreated).toMatchObject({ kind: "eventTrigger", retry: true });
      expect(endpoints.runBatchRow).toMatchObject({ kind: "taskQueueTrigger", timeout: 1800 });
      expect(endpoints.runBatchRow!.queue!.retry.maxAttempts).toBe(8);
      expect(endpoints.reconcileBatches!.kind).toBe("scheduleTrigger");
      expect(endpoints.purgeExpiredBatches!.kind).toBe("scheduleTrigger");
      expect(endpoints.onBatchJobCreated).toMatchObject({ kind: "eventTrigger", retry: true });
      // Platform maxima: event triggers 540 s, callables 3600 s, task and scheduled functions 1800 s.
      const maxima: Record<string, number> = { eventTrigger: 540, callableTrigger: 3600, taskQueueTrigger: 1800, scheduleTrigger: 1800 };
      for (const [name, e] of Object.entries(endpoints)) {
        expect([name, e.timeout > 0 && e.timeout <= (maxima[e.kind] ?? 0)]).toEqual([name, true]);
      }
    },
    300_000,
  );
});

/**
 * What `firebase deploy` reads: the built bundle's manifest, produced by firebase-functions' own
 * discovery entry point (FUNCTIONS_MANIFEST_OUTPUT_PATH mode of its `firebase-functions` binary,
 * the CLI's discovery step) in a separate process. Every one of the 25 functions must carry the
 * REGION param (`{{ params.REGION }}`, which the CLI resolves from functions/.env or its prompt)
 * and the intended maxInstances; the row queue the enqueuer addresses at run time (REGION in the
 * environment, as the CLI sets it for deployed functions) must be in the same region.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { deleteApp, initializeApp } from "firebase-admin/app";
import { DEPLOYED_ROW_QUEUE_LIMITS } from "@flowcraft/core";
import { MAX_INSTANCES } from "../src/config/global-options";
import { rowTaskQueue } from "../src/runtime/production-deps";

const functionsDir = path.resolve(__dirname, "..");
const root = path.resolve(functionsDir, "..");
const REGION = "europe-west1";

interface WireEndpoint {
  region?: unknown;
  maxInstances?: unknown;
  taskQueueTrigger?: unknown;
}
interface WireManifest {
  endpoints: Record<string, WireEndpoint>;
  params: { name: string; default?: unknown }[];
}

/** The bundle's manifest as the CLI's discovery step produces it. */
function discover(env: Record<string, string>): WireManifest {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-manifest-"));
  try {
    execFileSync(process.execPath, [path.join(functionsDir, "scripts/build.js"), "--outfile", path.join(dir, "lib/index.js")], { stdio: "pipe" });
    fs.copyFileSync(path.join(functionsDir, "package.json"), path.join(dir, "package.json"));
    const out = path.join(dir, "manifest.json");
    const bin = path.join(root, "node_modules/firebase-functions/lib/bin/firebase-functions.js");
    execFileSync(process.execPath, [bin], {
      cwd: dir,
      stdio: "pipe",
      env: {
        PATH: process.env.PATH,
        NODE_PATH: path.join(root, "node_modules"),
        GCLOUD_PROJECT: "demo-flowcraft",
        FUNCTIONS_CONTROL_API: "true",
        FUNCTIONS_MANIFEST_OUTPUT_PATH: out,
        ...env,
      },
    });
    return JSON.parse(fs.readFileSync(out, "utf8")) as WireManifest;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves a manifest field the way the CLI does for a string param: the given value, else the default. */
function resolve(field: unknown, manifest: WireManifest, values: Record<string, string>): unknown {
  if (typeof field !== "string") return field;
  const m = /^\{\{ params\.([A-Z0-9_]+) \}\}$/.exec(field);
  if (!m) return field;
  const name = m[1] as string;
  return values[name] ?? manifest.params.find((p) => p.name === name)?.default;
}

describe("deploy manifest", () => {
  let manifest: WireManifest;
  beforeAll(() => {
    manifest = discover({ REGION });
  });

  it("declares the REGION param's region and the max instances on all 26 functions", () => {
    const names = Object.keys(manifest.endpoints);
    expect(names).toHaveLength(26);
    expect(manifest.params.find((p) => p.name === "REGION")?.default).toBe("us-central1");
    for (const name of names) {
      const e = manifest.endpoints[name]!;
      expect([name, e.region]).toEqual([name, "{{ params.REGION }}"]);
      expect([name, resolve(e.region, manifest, { REGION })]).toEqual([name, REGION]);
      expect([name, e.maxInstances]).toEqual([name, MAX_INSTANCES]);
    }
    expect(manifest.endpoints.runBatchRow?.taskQueueTrigger).toBeDefined();
  });

  it("keeps the row queue's rate limits as a safety net: params defaulting to the deployed limits, within Cloud Tasks' maxima", () => {
    const trigger = manifest.endpoints.runBatchRow?.taskQueueTrigger as {
      rateLimits?: { maxConcurrentDispatches?: unknown; maxDispatchesPerSecond?: unknown };
    };
    const perSecond = resolve(trigger.rateLimits?.maxDispatchesPerSecond, manifest, {});
    const concurrent = resolve(trigger.rateLimits?.maxConcurrentDispatches, manifest, {});
    expect({ perSecond, concurrent }).toEqual({
      perSecond: DEPLOYED_ROW_QUEUE_LIMITS.maxDispatchesPerSecond,
      concurrent: DEPLOYED_ROW_QUEUE_LIMITS.maxConcurrentDispatches,
    });
    expect(DEPLOYED_ROW_QUEUE_LIMITS.maxDispatchesPerSecond).toBeLessThanOrEqual(500);
    expect(DEPLOYED_ROW_QUEUE_LIMITS.maxConcurrentDispatches).toBeLessThanOrEqual(5_000);
    // Far above what the AI quota allows: 1,000 rows/min of Gemini 2.5 Flash is under 17 dispatches a second.
    expect(DEPLOYED_ROW_QUEUE_LIMITS.maxDispatchesPerSecond).toBeGreaterThanOrEqual(100);
  });

  describe("the enqueuer at run time", () => {
    let server: http.Server;
    const paths: string[] = [];
    const saved = { ...process.env };
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        paths.push(req.url ?? "");
        req.resume();
        req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      process.env.CLOUD_TASKS_EMULATOR_HOST = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      process.env = { ...saved };
      await new Promise((r) => server.close(r));
    });

    it("addresses the row queue in the region runBatchRow deploys to", async () => {
      process.env.REGION = REGION;
      const app = initializeApp({ projectId: "demo-flowcraft", serviceAccountId: "sa@demo-flowcraft.iam.gserviceaccount.com" }, "manifest-test");
      try {
        await rowTaskQueue(app).enqueue({ id: "row-j-p0-r0-l0-g0", payload: { jobId: "j" } as never });
      } finally {
        await deleteApp(app);
      }
      const deployed = resolve(manifest.endpoints.runBatchRow!.region, manifest, { REGION });
      expect(paths).toEqual([`/projects/demo-flowcraft/locations/${String(deployed)}/queues/runBatchRow/tasks`]);
    });
  });
});

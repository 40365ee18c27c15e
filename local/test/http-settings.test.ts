/**
 * `GET`/`PUT /api/settings/limits` over a real server: the effective table (defaults, overrides,
 * live adaptive state), an update applied to the running governor at once, kept across a restart
 * of the host, `null` going back to the default, and bad updates answered 400 by field.
 */
import { DEFAULT_LIMITS_VERSION, type GovernorSettings, type ModelSettings } from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { request } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

const DEFAULTS = { "gemini-2.5-flash": { rpm: 1_000, tpm: 1_000_000 }, "veo-3.0-generate-001": { rpm: 2, concurrency: 2 } };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function start(dataDir: string, overrides?: Record<string, { rpm?: number; concurrency?: number }>): Promise<TestServer> {
  return startTestServer({ dataDir, modelLimits: { defaults: DEFAULTS, ...(overrides ? { overrides } : {}) } });
}

const modelOf = (body: unknown, model: string): ModelSettings | undefined => (body as GovernorSettings).models.find((m) => m.model === model);

describe("runtime limits on the local host", () => {
  it("shows defaults and flag overrides, applies a PUT to the running governor at once, keeps it across a restart, and resets with null", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-settings-"));
    dirs.push(dir);
    let srv = await start(dir, { "gemini-2.5-flash": { concurrency: 8 } });
    try {
      const shown = await request(srv.port, "GET", "/api/settings/limits");
      expect(shown.status).toBe(200);
      expect(shown.json.defaultsVersion).toBe(DEFAULT_LIMITS_VERSION);
      expect(modelOf(shown.json, "gemini-2.5-flash")).toMatchObject({
        defaults: { rpm: 1_000, tpm: 1_000_000 },
        override: { concurrency: 8 },
        limits: { rpm: 1_000, tpm: 1_000_000, concurrency: 8 },
        retryUntil: 0,
        dayCount: 0,
      });
      expect(modelOf(shown.json, "veo-3.0-generate-001")).toMatchObject({ override: null, limits: { rpm: 2, concurrency: 2 } });

      const put = await request(srv.port, "PUT", "/api/settings/limits", { "gemini-2.5-flash": { rpm: 120 }, "my-model": { concurrency: 3, rpd: 50 } });
      expect(put.status).toBe(200);
      // Replaced whole: the flag's concurrency 8 is gone, the default TPM shows through.
      expect(modelOf(put.json, "gemini-2.5-flash")).toMatchObject({ override: { rpm: 120 }, limits: { rpm: 120, tpm: 1_000_000 } });
      expect(modelOf(put.json, "my-model")).toMatchObject({ defaults: {}, limits: { concurrency: 3, rpd: 50 } });
      // The running governor uses it now.
      expect((await srv.host.governor.status("gemini-2.5-flash")).limits).toEqual({ rpm: 120, tpm: 1_000_000 });
    } finally {
      await srv.close();
    }

    srv = await start(dir);
    try {
      const kept = await request(srv.port, "GET", "/api/settings/limits");
      expect(modelOf(kept.json, "gemini-2.5-flash")).toMatchObject({ limits: { rpm: 120, tpm: 1_000_000 } });
      expect(modelOf(kept.json, "my-model")).toMatchObject({ limits: { concurrency: 3, rpd: 50 } });
      const reset = await request(srv.port, "PUT", "/api/settings/limits", { "gemini-2.5-flash": null });
      expect(modelOf(reset.json, "gemini-2.5-flash")).toMatchObject({ override: null, limits: DEFAULTS["gemini-2.5-flash"] });
      expect(modelOf(reset.json, "my-model")).toMatchObject({ limits: { concurrency: 3, rpd: 50 } });
    } finally {
      await srv.close();
    }
  });

  it("shows the adaptive rate in force and the Retry-After deadline after a 429", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-settings-"));
    dirs.push(dir);
    const srv = await start(dir);
    try {
      const g = srv.host.governor;
      const a = await g.acquire({ model: "gemini-2.5-flash", kind: "text", estimatedTokens: 10, maxDelayMs: 0 });
      if (a.kind !== "granted") throw new Error("setup");
      await g.report({ permit: a.permit, outcome: "rate_limited", retryAfterMs: 30_000 });
      const shown = await request(srv.port, "GET", "/api/settings/limits");
      const flash = modelOf(shown.json, "gemini-2.5-flash") as ModelSettings;
      expect(flash.effectiveRpm).toBeCloseTo(700, 5);
      expect(flash.retryUntil).toBeGreaterThan(Date.now());
      expect(flash.dayCount).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it("answers a bad update 400 with the path of each problem and changes nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-settings-"));
    dirs.push(dir);
    const srv = await start(dir);
    try {
      const bad = await request(srv.port, "PUT", "/api/settings/limits", {
        "gemini-2.5-flash": { rpm: -5, concurrency: 1.5, burst: 3 },
        "veo-3.0-generate-001": { rpd: "ten" },
      });
      expect(bad.status).toBe(400);
      const details = bad.json.error.details as Array<{ path: string; message: string }>;
      expect(details.map((d) => d.path).sort()).toEqual([
        "gemini-2.5-flash",
        "gemini-2.5-flash.concurrency",
        "gemini-2.5-flash.rpm",
        "veo-3.0-generate-001.rpd",
      ]);
      expect(details.find((d) => d.path === "gemini-2.5-flash")?.message).toMatch(/unknown limit "burst"/);
      const after = await request(srv.port, "GET", "/api/settings/limits");
      expect(modelOf(after.json, "gemini-2.5-flash")).toMatchObject({ override: null });
    } finally {
      await srv.close();
    }
  });
});

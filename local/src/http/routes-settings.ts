/**
 * Runtime AI limits of this host's governor (shared by every batch of the process):
 * `GET /api/settings/limits` shows the effective table (defaults, overrides, and per model the
 * adaptive rate in force, Retry-After deadline and today's count); `PUT /api/settings/limits`
 * takes `{MODEL: {rpm?, tpm?, concurrency?, rpd?} | null}`, replaces each named model's override
 * (null = back to the default), applies it at once and keeps it in the data directory.
 * Also the webhook signing secret (`/api/settings/webhook-secret`), shown once when created.
 */
import { LimitsUpdate } from "@flowcraft/core";
import { LOCAL_OWNER, type LocalHost } from "../local-host";
import { parseBody, readJson, sendJson } from "./respond";
import type { Router } from "./router";

export function settingsRoutes(router: Router, host: LocalHost, jsonBytes: number): void {
  router
    .on("GET", "/api/settings/limits", async ({ res }) => sendJson(res, 200, await host.governor.settings()))
    .on("PUT", "/api/settings/limits", async ({ req, res }) => {
      const update = parseBody(LimitsUpdate, await readJson(req, jsonBytes));
      sendJson(res, 200, await host.governor.update(update));
    })
    // The webhook signing secret: only whether there is one (and its last 4 characters) on GET;
    // the secret itself only in the answer of the POST that creates or replaces it.
    .on("GET", "/api/settings/webhook-secret", async ({ res }) => sendJson(res, 200, { webhookSecret: await host.handlers.webhookSecretInfo(LOCAL_OWNER) }))
    .on("POST", "/api/settings/webhook-secret", async ({ req, res }) => {
      await readJson(req, jsonBytes);
      const created = await host.handlers.rotateWebhookSecret(LOCAL_OWNER);
      host.flush();
      sendJson(res, 201, { webhookSecret: created });
    });
}

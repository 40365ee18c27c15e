/**
 * Routes over the host's AI service: `POST /api/preview` runs a flow on one row with the same
 * engine the batch uses (media inlined as data URLs), and `generate-text|image|video` make single
 * calls. A client that disconnects aborts its call.
 */
import {
  GenerateImageRequest,
  GenerateTextRequest,
  GenerateVideoRequest,
  PreviewRequest,
  ServerWorkflowEngine,
  previewFlowOf,
  toMediaResponse,
  toPreviewRun,
} from "@flowcraft/core";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LocalHost } from "../local-host";
import { parseBody, readJson, sendJson } from "./respond";
import type { Router } from "./router";

/** Aborts when the client goes away before the response is sent. */
function abortOnDisconnect(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const ctrl = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) ctrl.abort(new Error("client disconnected"));
  });
  void req;
  return ctrl.signal;
}

export function aiRoutes(router: Router, host: LocalHost, jsonBytes: number): void {
  const engine = new ServerWorkflowEngine({ ai: host.ai, logger: host.deps.logger });
  router
    .on("POST", "/api/preview", async ({ req, res }) => {
      const body = parseBody(PreviewRequest, await readJson(req, jsonBytes));
      const flow = previewFlowOf(body, host.limits);
      const signal = abortOnDisconnect(req, res);
      const run = await engine.execute({ flow, row: body.row, signal, deadline: Date.now() + host.limits.rowTimeoutMs });
      sendJson(res, 200, { run: toPreviewRun(run) });
    })
    .on("POST", "/api/generate-text", async ({ req, res }) => {
      const body = parseBody(GenerateTextRequest, await readJson(req, jsonBytes));
      sendJson(res, 200, await host.ai.generateText({ ...body, signal: abortOnDisconnect(req, res) }));
    })
    .on("POST", "/api/generate-image", async ({ req, res }) => {
      const body = parseBody(GenerateImageRequest, await readJson(req, jsonBytes));
      const r = await host.ai.generateImage({ ...body, signal: abortOnDisconnect(req, res) });
      sendJson(res, 200, toMediaResponse(r));
    })
    .on("POST", "/api/generate-video", async ({ req, res }) => {
      const body = parseBody(GenerateVideoRequest, await readJson(req, jsonBytes));
      const r = await host.ai.generateVideo({ ...body, signal: abortOnDisconnect(req, res) });
      sendJson(res, 200, toMediaResponse(r));
    });
}

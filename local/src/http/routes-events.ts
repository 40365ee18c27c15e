/**
 * `GET /api/batches/:id/events`: Server-Sent Events for one job. On connect: missed `result`
 * events after Last-Event-ID (header, or `?lastEventId=`), then `job` with the current state; then
 * live `job` (throttled) and `result` events; `end` after the terminal job event. Ids are store
 * versions (see event-bus.ts), so they only grow, also across restarts. Comment heartbeats keep
 * proxies and browsers from timing the stream out.
 */
import { PermanentError, isTerminal } from "@flowcraft/core";
import type { ServerResponse } from "node:http";
import type { BatchEvent } from "../event-bus";
import { LOCAL_OWNER, type LocalHost } from "../local-host";
import type { Router } from "./router";

function writeEvent(res: ServerResponse, e: BatchEvent): void {
  const data = e.type === "job" ? e.job : e.result;
  res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
}

function lastEventId(header: string | string[] | undefined, query: string | null): number {
  const raw = (Array.isArray(header) ? header[0] : header) ?? query ?? "";
  const n = Number(raw);
  return raw !== "" && Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

export function eventRoutes(router: Router, host: LocalHost, heartbeatMs: number): void {
  router.on("GET", "/api/batches/:id/events", async ({ req, res, params, url }) => {
    const jobId = params.id!;
    await host.handlers.getJob(LOCAL_OWNER, jobId); // 404 before the stream starts
    const since = lastEventId(req.headers["last-event-id"], url.searchParams.get("lastEventId"));

    let maxResultId = -1;
    let ended = false;
    let live = false;
    const buffered: BatchEvent[] = [];
    const deliver = (e: BatchEvent): void => {
      if (ended) return;
      if (e.type === "result") {
        if (e.id <= maxResultId) return;
        maxResultId = e.id;
      }
      writeEvent(res, e);
      if (e.type === "job" && isTerminal(e.job.status)) {
        ended = true;
        res.write(`id: ${e.id}\nevent: end\ndata: {}\n\n`);
        res.end();
      }
    };
    const unsubscribe = host.events.subscribe(jobId, (e) => (live ? deliver(e) : buffered.push(e)));
    const heartbeat = setInterval(() => res.write(": ping\n\n"), heartbeatMs);
    res.on("close", () => {
      ended = true;
      unsubscribe();
      clearInterval(heartbeat);
    });

    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    if (since >= 0) for (const e of host.events.replayResults(jobId, since)) deliver(e);
    const current = await host.events.currentJob(jobId);
    if (!current) throw new PermanentError("not_found", "This batch no longer exists");
    for (const e of buffered.splice(0)) if (e.type === "result") deliver(e);
    deliver(current);
    live = true;
  });
}

/**
 * `GET /api/batches/:id/events`: Server-Sent Events for one job. On connect: missed `result`
 * events after Last-Event-ID (header, or `?lastEventId=`), then `job` with the current state; then
 * live `job` (throttled) and `result` events; `end` after the terminal job event. Ids are store
 * versions (see event-bus.ts), so they only grow, also across restarts.
 *
 * Memory per client is bounded (sse-stream.ts): a client that falls behind stops getting live
 * events and is caught up from the store instead, a few results at a time as its socket drains,
 * then gets the current job and goes live again. Results are only ever sent in version order.
 */
import { isTerminal } from "@flowcraft/core";
import type { BatchEvent } from "../event-bus";
import { LOCAL_OWNER, type LocalHost } from "../local-host";
import type { Router } from "./router";
import { SseStream, type SseLimits } from "./sse-stream";

function format(e: BatchEvent): string {
  const data = e.type === "job" ? e.job : e.result;
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function lastEventId(header: string | string[] | undefined, query: string | null): number {
  const raw = (Array.isArray(header) ? header[0] : header) ?? query ?? "";
  const n = Number(raw);
  return raw !== "" && Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

/** The events of one job for one client: live while the client keeps up, from the store when not. */
class JobFeed {
  /** Live events go out only while true; otherwise `catchUp` reads them from the store. */
  private live = false;

  constructor(
    private readonly host: LocalHost,
    private readonly jobId: string,
    private readonly stream: SseStream,
    /** Version of the last result this client has (or was not interested in). */
    private lastResultId: number,
  ) {}

  start(replay: boolean): void {
    const unsubscribe = this.host.events.subscribe(this.jobId, (e) => this.onEvent(e));
    this.stream.onClose(unsubscribe);
    this.stream.send("retry: 2000\n\n");
    void (replay ? this.catchUp() : this.goLive());
  }

  private onEvent(e: BatchEvent): void {
    if (!this.live) return;
    if (e.type === "job") return this.sendJob(e);
    if (e.id <= this.lastResultId) return;
    if (this.stream.send(format(e))) this.lastResultId = e.id;
    else void this.catchUp();
  }

  private sendJob(e: BatchEvent & { type: "job" }): void {
    if (!this.stream.send(format(e))) return void this.catchUp();
    if (isTerminal(e.job.status)) this.stream.end(`id: ${e.id}\nevent: end\ndata: {}\n\n`);
  }

  /** Sends the results after `lastResultId` from the store, one per drained socket, then goes live. */
  private async catchUp(): Promise<void> {
    if (!this.stream.isOpen) return;
    this.live = false;
    let pending = this.host.events.resultsSince(this.jobId, this.lastResultId);
    while (pending.length > 0) {
      for (const { id, version } of pending) {
        await this.stream.drained();
        if (!this.stream.isOpen) return;
        const e = this.host.events.resultEvent(this.jobId, id, version);
        if (e) this.stream.send(format(e));
        this.lastResultId = version;
      }
      // Read in the same synchronous step as the switch to live: no result falls between.
      pending = this.host.events.resultsSince(this.jobId, this.lastResultId);
    }
    await this.goLive();
  }

  private async goLive(): Promise<void> {
    if (!this.stream.isOpen) return;
    this.live = true;
    const current = await this.host.events.currentJob(this.jobId);
    // Fell behind again meanwhile: that catch-up sends the job.
    if (!this.live) return;
    if (current?.type !== "job") return this.stream.end("event: end\ndata: {}\n\n");
    this.sendJob(current);
  }
}

export function eventRoutes(router: Router, host: LocalHost, limits: SseLimits): void {
  router.on("GET", "/api/batches/:id/events", async ({ req, res, params, url }) => {
    const jobId = params.id!;
    await host.handlers.getJob(LOCAL_OWNER, jobId); // 404 before the stream starts
    const since = lastEventId(req.headers["last-event-id"], url.searchParams.get("lastEventId"));
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const stream = new SseStream(res, limits);
    // Without Last-Event-ID the client wants what happens from now on.
    new JobFeed(host, jobId, stream, since >= 0 ? since : host.store.currentSeq).start(since >= 0);
  });
}

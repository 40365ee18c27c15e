/**
 * One Server-Sent Events response whose memory stays bounded whatever the client does. Text goes
 * to the socket while `write()` accepts it; once `write()` reports a full buffer, later text waits
 * in a queue of at most `maxQueuedBytes` (one item of any size is always taken, so a large event
 * cannot wedge the stream) until `drain`. Past that `send` refuses: the caller catches the client
 * up from the store later (event ids make that exact). A client that takes nothing for `stallMs`
 * is disconnected; it resumes with Last-Event-ID. Nothing is written after the end, and every
 * timer is cleared on end, error and close.
 */
import type { ServerResponse } from "node:http";

export interface SseLimits {
  /** Comment heartbeats keep proxies and browsers from timing an idle stream out. */
  heartbeatMs: number;
  /** Bytes waiting for the socket, per client, before `send` refuses. */
  maxQueuedBytes: number;
  /** A client that reads nothing for this long (behind, or after the end) is disconnected. */
  stallMs: number;
}

export const DEFAULT_SSE_LIMITS: SseLimits = { heartbeatMs: 15_000, maxQueuedBytes: 1024 * 1024, stallMs: 60_000 };

/** What one stream holds in memory right now (diagnostics and tests). */
export interface SseState {
  queuedBytes: number;
  queuedItems: number;
  behind: boolean;
  state: "open" | "ending" | "closed";
}

const streams = new WeakMap<ServerResponse, SseStream>();

/** The state of the SSE stream on `res`, if it is one. */
export function sseState(res: ServerResponse): SseState | undefined {
  return streams.get(res)?.snapshot();
}

export class SseStream {
  private queue: string[] = [];
  private queuedBytes = 0;
  /** `write()` returned false: wait for `drain` before writing again. */
  private behind = false;
  private state: SseState["state"] = "open";
  private heartbeat: NodeJS.Timeout | null;
  private stallTimer: NodeJS.Timeout | null = null;
  private drainWaiters: (() => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly limits: SseLimits,
  ) {
    streams.set(res, this);
    res.on("drain", () => this.flush());
    res.on("close", () => this.closed());
    // EPIPE / ECONNRESET from a vanished client: 'close' follows; without a listener it would throw.
    res.on("error", () => this.closed());
    this.heartbeat = setInterval(() => {
      if (!this.behind) this.write(": ping\n\n");
    }, limits.heartbeatMs);
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  snapshot(): SseState {
    return { queuedBytes: this.queuedBytes, queuedItems: this.queue.length, behind: this.behind, state: this.state };
  }

  /** Writes or queues `text`; false (nothing taken) when the stream is over or the client is too far behind. */
  send(text: string): boolean {
    if (this.state !== "open") return false;
    if (!this.behind) {
      this.write(text);
      return true;
    }
    const bytes = Buffer.byteLength(text);
    if (this.queue.length > 0 && this.queuedBytes + bytes > this.limits.maxQueuedBytes) return false;
    this.queue.push(text);
    this.queuedBytes += bytes;
    return true;
  }

  /** Resolves when nothing waits for the socket any more (or the stream is over). */
  drained(): Promise<void> {
    if (!this.behind || this.state === "closed") return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Sends `text` last (after anything queued) and ends the response. */
  end(text: string): void {
    if (this.state !== "open") return;
    this.state = "ending";
    this.stopHeartbeat();
    this.queue.push(text);
    this.queuedBytes += Buffer.byteLength(text);
    if (!this.behind) this.flush();
  }

  onClose(listener: () => void): void {
    if (this.state === "closed") listener();
    else this.closeListeners.push(listener);
  }

  private write(text: string): void {
    if (this.res.write(text)) return;
    this.behind = true;
    this.armStallTimer();
  }

  private flush(): void {
    if (this.state === "closed") return;
    this.behind = false;
    this.clearStallTimer();
    while (this.queue.length > 0 && !this.behind) {
      const text = this.queue.shift() as string;
      this.queuedBytes -= Buffer.byteLength(text);
      this.write(text);
    }
    if (this.behind) return;
    if (this.state === "ending") {
      this.res.end();
      // A client that never reads keeps an ended response unfinished; 'close' clears this.
      this.armStallTimer();
    }
    this.wakeDrainWaiters();
  }

  private armStallTimer(): void {
    this.stallTimer ??= setTimeout(() => this.res.destroy(), this.limits.stallMs);
  }

  private clearStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private closed(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.stopHeartbeat();
    this.clearStallTimer();
    this.queue = [];
    this.queuedBytes = 0;
    this.wakeDrainWaiters();
    for (const l of this.closeListeners.splice(0)) l();
  }
}

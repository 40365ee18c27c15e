/**
 * One Server-Sent Events connection per job (`GET /api/batches/:id/events`), shared by every
 * watcher of that job. The browser's EventSource resumes on its own after a dropped connection,
 * sending `Last-Event-ID` so the server replays missed results. When the browser gives up (the
 * source is CLOSED, e.g. the server restarted), we open a new source after a backoff and tell
 * watchers to reload, since a new source cannot resume from the old id. `end` closes the stream.
 * The `job` and `result` payloads are parsed with core's schemas (job-doc.ts): one that does not
 * parse is reported through `onError` and dropped, never delivered half-typed.
 */
import type { Job, RowResult } from "@core/batch/model";
import { parseJob, parseResult } from "./job-doc";
import { BackendError, toBackendError } from "./types";

export interface StreamListener {
  /** The connection is open: the server has subscribed this stream to the job's live events. */
  onOpen?: () => void;
  onJob?: (job: Job) => void;
  onResult?: (result: RowResult) => void;
  /** A fresh connection was opened after the old one was lost: reload what may have been missed. */
  onReconnect?: () => void;
  /** The connection was lost (`unavailable`, retryable), or an event was malformed and dropped (`internal`). */
  onError?: (error: BackendError) => void;
}

const MAX_BACKOFF_MS = 15_000;
const BASE_BACKOFF_MS = 500;

export class JobEventStream {
  private source: EventSource | null = null;
  private readonly listeners = new Set<StreamListener>();
  private ended = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private readonly baseBackoffMs = BASE_BACKOFF_MS,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /** Live events are flowing (open), or the job ended and no more will come. */
  get ready(): boolean {
    return this.ended || this.source?.readyState === EventSource.OPEN;
  }

  add(listener: StreamListener): void {
    this.listeners.add(listener);
    if (!this.source && !this.ended && !this.timer) this.open(false);
  }

  remove(listener: StreamListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.close();
  }

  /** After a job was started again (retry of failed rows): reopen a stream that saw `end`. */
  revive(): void {
    if (!this.ended) return;
    this.ended = false;
    if (this.listeners.size > 0 && !this.source && !this.timer) this.open(true);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.source?.close();
    this.source = null;
  }

  private emit(fn: (l: StreamListener) => void): void {
    for (const listener of [...this.listeners]) fn(listener);
  }

  private open(isReconnect: boolean): void {
    this.timer = null;
    const source = new EventSource(this.url);
    this.source = source;
    source.addEventListener("open", () => {
      this.failures = 0;
      if (isReconnect) this.emit((l) => l.onReconnect?.());
      isReconnect = false;
      this.emit((l) => l.onOpen?.());
    });
    source.addEventListener("job", (e) => {
      const job = this.read(e, "onJob", (json) => parseJob("A live job update", json));
      if (job) this.emit((l) => l.onJob?.(job));
    });
    source.addEventListener("result", (e) => {
      const result = this.read(e, "onResult", (json) => parseResult("A live result update", json));
      if (result) this.emit((l) => l.onResult?.(result));
    });
    source.addEventListener("end", () => {
      this.ended = true;
      this.close();
    });
    source.addEventListener("error", () => this.onSourceError(source));
  }

  /**
   * One event's payload, parsed; null for one that is not JSON or not of its shape, after telling
   * why to the listeners that take this kind of event (`takes`).
   */
  private read<T>(event: Event, takes: "onJob" | "onResult", parse: (json: unknown) => T): T | null {
    try {
      const data = (event as MessageEvent<unknown>).data;
      return parse(JSON.parse(typeof data === "string" ? data : ""));
    } catch (err) {
      const error =
        err instanceof SyntaxError ? new BackendError({ code: "internal", message: "A live update is not JSON.", retryable: false }) : toBackendError(err);
      this.emit((l) => {
        if (l[takes]) l.onError?.(error);
      });
      return null;
    }
  }

  private onSourceError(source: EventSource): void {
    if (this.source !== source || this.ended) return;
    // CONNECTING: the browser is already retrying with Last-Event-ID. CLOSED: it gave up.
    if (source.readyState !== EventSource.CLOSED) return;
    this.source = null;
    this.failures++;
    const error = new BackendError({ code: "unavailable", message: "Live updates were interrupted; reconnecting…", retryable: true });
    this.emit((l) => l.onError?.(error));
    const delay = Math.min(MAX_BACKOFF_MS, this.baseBackoffMs * 2 ** Math.min(this.failures, 5));
    this.timer = setTimeout(() => this.open(true), delay);
  }
}

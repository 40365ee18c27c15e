/**
 * One Server-Sent Events connection per job (`GET /api/batches/:id/events`), shared by every
 * watcher of that job. The browser's EventSource resumes on its own after a dropped connection,
 * sending `Last-Event-ID` so the server replays missed results. When the browser gives up (the
 * source is CLOSED, e.g. the server restarted), we open a new source after a backoff and tell
 * watchers to reload, since a new source cannot resume from the old id. `end` closes the stream.
 */
import type { Job, RowResult } from "@core/batch/model";

export interface StreamListener {
  /** The connection is open: the server has subscribed this stream to the job's live events. */
  onOpen?: () => void;
  onJob?: (job: Job) => void;
  onResult?: (result: RowResult) => void;
  /** A fresh connection was opened after the old one was lost: reload what may have been missed. */
  onReconnect?: () => void;
  onError?: (message: string) => void;
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
    source.addEventListener("job", (e) => this.emit((l) => l.onJob?.(JSON.parse((e as MessageEvent<string>).data) as Job)));
    source.addEventListener("result", (e) => this.emit((l) => l.onResult?.(JSON.parse((e as MessageEvent<string>).data) as RowResult)));
    source.addEventListener("end", () => {
      this.ended = true;
      this.close();
    });
    source.addEventListener("error", () => this.onSourceError(source));
  }

  private onSourceError(source: EventSource): void {
    if (this.source !== source || this.ended) return;
    // CONNECTING: the browser is already retrying with Last-Event-ID. CLOSED: it gave up.
    if (source.readyState !== EventSource.CLOSED) return;
    this.source = null;
    this.failures++;
    this.emit((l) => l.onError?.("Live updates were interrupted; reconnecting…"));
    const delay = Math.min(MAX_BACKOFF_MS, this.baseBackoffMs * 2 ** Math.min(this.failures, 5));
    this.timer = setTimeout(() => this.open(true), delay);
  }
}

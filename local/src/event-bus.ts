/**
 * In-process live events for one host, fed by the store's commit listener: `result` as each row
 * result document is written, `job` as the job document changes (throttled per job, at most one
 * every `throttleMs`, but at once for status changes). Event ids are store versions, which grow
 * with every commit and survive restarts, so a client's Last-Event-ID can be replayed from the
 * store (see `resultsSince`). A subscriber that only follows the job (`{results: false}`: the
 * CLI's progress, benchmarks) costs no result parsing: a result change is parsed only when some
 * subscriber of its job takes results.
 */
import { Job, RowResult } from "@flowcraft/core";
import type { DocChange } from "./sqlite/commit";
import type { SqliteStore } from "./sqlite/sqlite-store";

export type BatchEvent = { type: "job"; id: number; job: Job } | { type: "result"; id: number; result: RowResult };
export type BatchEventListener = (e: BatchEvent) => void;

const JOB = /^batch_jobs\/([^/]+)$/;
const RESULT = /^batch_jobs\/([^/]+)\/results\/[^/]+$/;

export interface SubscribeOptions {
  /** Deliver `result` events too (default true). */
  results?: boolean;
}

interface Subscriber {
  listener: BatchEventListener;
  results: boolean;
}

interface JobThrottle {
  lastAt: number;
  lastStatus: string;
  timer: NodeJS.Timeout | null;
}

export class BatchEventBus {
  private readonly listeners = new Map<string, Set<Subscriber>>();
  private readonly throttles = new Map<string, JobThrottle>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: SqliteStore,
    private readonly throttleMs = 250,
  ) {
    this.unsubscribe = store.onCommit((changes) => this.onCommit(changes));
  }

  subscribe(jobId: string, listener: BatchEventListener, opts: SubscribeOptions = {}): () => void {
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    const sub: Subscriber = { listener, results: opts.results !== false };
    set.add(sub);
    return () => {
      set.delete(sub);
      if (set.size > 0) return;
      this.listeners.delete(jobId);
      const t = this.throttles.get(jobId);
      if (t?.timer) clearTimeout(t.timer);
      this.throttles.delete(jobId);
    };
  }

  /** Row results written after `afterId` (doc id and version, no data), oldest first: a reconnecting or lagging client's reading list. */
  resultsSince(jobId: string, afterId: number): { id: string; version: number }[] {
    return this.store.versionsSince(`batch_jobs/${jobId}/results`, afterId);
  }

  /** Result `id` as an event while it still has `version` (a newer version comes later in a new list). */
  resultEvent(jobId: string, id: string, version: number): BatchEvent | null {
    const doc = this.store.getVersioned(`batch_jobs/${jobId}/results/${id}`);
    if (!doc || doc.version !== version) return null;
    const parsed = RowResult.safeParse(doc.data);
    return parsed.success ? { type: "result", id: version, result: parsed.data } : null;
  }

  /** The job's current state as an event (null when it does not exist). */
  async currentJob(jobId: string): Promise<BatchEvent | null> {
    const doc = await this.store.get(`batch_jobs/${jobId}`);
    return doc ? { type: "job", id: this.store.currentSeq, job: Job.parse(doc.data) } : null;
  }

  private onCommit(changes: DocChange[]): void {
    if (this.listeners.size === 0) return;
    for (const c of changes) {
      if (c.after === null) continue;
      const result = RESULT.exec(c.path);
      if (result) {
        const subs = this.listeners.get(result[1] as string);
        if (!subs || ![...subs].some((s) => s.results)) continue;
        const parsed = RowResult.safeParse(c.after);
        if (parsed.success) this.emit(result[1] as string, { type: "result", id: c.version, result: parsed.data });
        continue;
      }
      const job = JOB.exec(c.path);
      if (job && this.listeners.has(job[1] as string)) this.jobChanged(job[1] as string, c.after);
    }
  }

  private jobChanged(jobId: string, data: Record<string, unknown>): void {
    let t = this.throttles.get(jobId);
    if (!t) this.throttles.set(jobId, (t = { lastAt: 0, lastStatus: "", timer: null }));
    const status = String(data.status) + String(data.cancelRequested);
    const now = Date.now();
    if (status !== t.lastStatus || now - t.lastAt >= this.throttleMs) {
      t.lastStatus = status;
      this.flushJob(jobId, t, data);
      return;
    }
    if (t.timer) return;
    const throttle = t;
    t.timer = setTimeout(
      () => {
        throttle.timer = null;
        void this.store.get(`batch_jobs/${jobId}`).then((doc) => doc && this.flushJob(jobId, throttle, doc.data));
      },
      this.throttleMs - (now - t.lastAt),
    );
  }

  private flushJob(jobId: string, t: JobThrottle, data: Record<string, unknown>): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    t.lastAt = Date.now();
    const parsed = Job.safeParse(data);
    if (parsed.success) this.emit(jobId, { type: "job", id: this.store.currentSeq, job: parsed.data });
  }

  private emit(jobId: string, e: BatchEvent): void {
    for (const s of this.listeners.get(jobId) ?? []) if (e.type === "job" || s.results) s.listener(e);
  }

  close(): void {
    this.unsubscribe();
    for (const t of this.throttles.values()) if (t.timer) clearTimeout(t.timer);
    this.throttles.clear();
    this.listeners.clear();
  }
}

/**
 * The timeline behind `bench:local --trace`: where a lane's time goes between one row's AI call and
 * the next. It hooks the host from outside (the AI service, the queue's enqueue, the task handler,
 * the store's commits and the SQLite COMMIT) and records, per row, when its AI call started and
 * ended, when its result's transaction committed, and per task when it was enqueued and delivered.
 * The summary splits each lane's makespan into AI time, the late firing of the AI call's timer,
 * the gaps between rows of one group, the gaps at a group's end (row end → commit → next task
 * enqueued → delivered → next row's AI call), and the lane's idle tail; plus the event loop's
 * utilization over the run.
 */
import type { LocalHost } from "../src/local-host";
import { OfflineAiService, type TextRequest, type TextResult } from "@flowcraft/core";
import { performance, type EventLoopUtilization } from "node:perf_hooks";

interface RowMarks {
  aiStart?: number;
  aiEnd?: number;
  commit?: number;
  /** The task that names this row as its group's first (absent for a group's further rows). */
  enqueued?: number;
  delivered?: number;
}

const ROW_OF_PROMPT = /topic number (\d+)/;
const RESULT_PATH = /\/results\/[^/]+$/;

/** The offline provider, recording when each row's call starts and ends (the row from the prompt). */
export class TracedAi extends OfflineAiService {
  constructor(
    opts: { latencyMs: number },
    private readonly trace: LaneTrace,
  ) {
    super(opts);
  }

  override async generateText(req: TextRequest): Promise<TextResult> {
    const m = ROW_OF_PROMPT.exec(req.prompt);
    const row = m ? Number(m[1]) : -1;
    this.trace.mark(row, "aiStart");
    const out = await super.generateText(req);
    this.trace.mark(row, "aiEnd");
    return out;
  }
}

const pct = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export class LaneTrace {
  private readonly rows = new Map<number, RowMarks>();
  private readonly commits: number[] = [];
  private t0 = 0;
  private createdAt = 0;
  private elu: EventLoopUtilization | null = null;
  private eluRun: EventLoopUtilization | null = null;

  constructor(private readonly latencyMs: number) {}

  mark(row: number, what: keyof RowMarks): void {
    if (row < 0) return;
    const m = this.rows.get(row) ?? {};
    // The first delivery and the first AI call count (a duplicate delivery would only add noise).
    if (m[what] === undefined) m[what] = performance.now();
    this.rows.set(row, m);
  }

  /** Hooks the host: call right after it is created, before the job. */
  private host: LocalHost | null = null;
  attach(host: LocalHost): void {
    this.host = host;
    const queue = host.queue;
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = (task) => {
      const p = task.payload as { rowIndex?: number } | null;
      if (typeof p?.rowIndex === "number") this.mark(p.rowIndex, "enqueued");
      return enqueue(task);
    };
    const run = host.handlers.runRowTask.bind(host.handlers);
    host.handlers.runRowTask = (task, ctx) => {
      const p = task as { rowIndex?: number };
      if (typeof p.rowIndex === "number") this.mark(p.rowIndex, "delivered");
      return run(task, ctx);
    };
    host.store.onCommit((changes) => {
      for (const c of changes) {
        if (!c.created || !RESULT_PATH.test(c.path)) continue;
        const r = (c.after as { rowIndex?: unknown } | null)?.rowIndex;
        if (typeof r === "number") this.mark(r, "commit");
      }
    });
    const db = host.store.db;
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      const t = performance.now();
      if (sql === "COMMIT") this.commits.push(t);
      const r = exec(sql);
      if (sql === "COMMIT" || sql.startsWith("BEGIN")) {
        const a = this.execs.get(sql) ?? [];
        a.push(performance.now() - t);
        this.execs.set(sql, a);
      }
      return r;
    };
  }

  /** How long each COMMIT and BEGIN took (the event loop waits for them). */
  private readonly execs = new Map<string, number[]>();
  start(): void {
    this.t0 = performance.now();
    this.elu = performance.eventLoopUtilization();
  }

  /** Call when createJob has returned. */
  created(): void {
    this.createdAt = performance.now();
  }

  stop(): void {
    if (this.elu) this.eluRun = performance.eventLoopUtilization(this.elu);
  }

  /** Prints the breakdown for `lanes` contiguous ranges of `n` rows (the job's initial split). */
  print(n: number, lanes: number, makespanMs: number): void {
    const size = Math.ceil(n / lanes);
    const L = this.latencyMs;
    const late: number[] = [];
    const inGroup: number[] = [];
    const toCommit: number[] = [];
    const commitToEnqueue: number[] = [];
    const enqueueToDeliver: number[] = [];
    const deliverToAi: number[] = [];
    const boundary: number[] = [];
    const firstStart: number[] = [];
    const tails: number[] = [];
    let aiBusy = 0;
    let lateSum = 0;
    // Follow each lane's own range in order; a row another lane stole is where that chain breaks.
    for (let lane = 0; lane < lanes; lane++) {
      let prev: RowMarks | null = null;
      let lastEnd = 0;
      for (let r = lane * size; r < Math.min(n, (lane + 1) * size); r++) {
        const m = this.rows.get(r);
        if (!m?.aiStart || !m.aiEnd) continue;
        aiBusy += m.aiEnd - m.aiStart;
        late.push(m.aiEnd - m.aiStart - L);
        lateSum += m.aiEnd - m.aiStart - L;
        lastEnd = Math.max(lastEnd, m.aiEnd);
        if (prev === null) firstStart.push(m.aiStart - this.t0);
        else if (prev.aiEnd !== undefined && m.aiStart > prev.aiEnd && m.aiStart - prev.aiEnd < 200) {
          const gap = m.aiStart - prev.aiEnd;
          if (m.delivered === undefined) inGroup.push(gap);
          else {
            boundary.push(gap);
            if (prev.commit !== undefined) toCommit.push(prev.commit - prev.aiEnd);
            if (prev.commit !== undefined && m.enqueued !== undefined) commitToEnqueue.push(m.enqueued - prev.commit);
            if (m.enqueued !== undefined) enqueueToDeliver.push(m.delivered - m.enqueued);
            deliverToAi.push(m.aiStart - m.delivered);
          }
        }
        prev = m;
      }
      tails.push(this.t0 + makespanMs - lastEnd);
    }
    const fmt = (name: string, xs: number[]): string =>
      `  ${name.padEnd(34)} n ${String(xs.length).padStart(5)}  sum/lane ${(sum(xs) / lanes).toFixed(1).padStart(7)} ms  min ${Math.min(...xs).toFixed(2)}  p50 ${pct(xs, 0.5).toFixed(2)}  p90 ${pct(xs, 0.9).toFixed(2)}  max ${Math.max(...xs, 0).toFixed(2)} ms`;
    const gaps = this.commits.slice(1).map((c, i) => c - (this.commits[i] as number));
    console.log(
      `  trace (lanes' own ranges, ${lanes} lanes of ${size} rows; makespan ${makespanMs.toFixed(0)} ms, bound ${((Math.ceil(n / lanes) * L) / 1).toFixed(0)} ms):`,
    );
    console.log(
      `  ${"AI call (latency + timer lateness)".padEnd(34)} sum/lane ${(aiBusy / lanes).toFixed(1).padStart(7)} ms (latency alone ${((size * L) / 1).toFixed(0)} ms)`,
    );
    console.log(fmt("timer lateness per call", late));
    console.log(`  ${"job start -> createJob returned".padEnd(34)} ${(this.createdAt - this.t0).toFixed(1)} ms`);
    console.log(fmt("job start -> lane's first AI call", firstStart));
    console.log(fmt("row end -> next row (same group)", inGroup));
    console.log(fmt("row end -> next row (next task)", boundary));
    console.log(fmt("  row end -> its commit", toCommit));
    console.log(fmt("  commit -> next task enqueued", commitToEnqueue));
    console.log(fmt("  enqueued -> delivered", enqueueToDeliver));
    console.log(fmt("  delivered -> AI call", deliverToAi));
    console.log(fmt("lane's last AI end -> job end", tails));
    console.log(fmt("SQLite COMMIT -> next COMMIT", gaps));
    for (const [sql, a] of this.execs) console.log(fmt(`SQLite ${sql} (blocks the loop)`, a));
    if (this.host) {
      const { transactions, conflicts } = this.host.store.stats;
      console.log(`  store: ${transactions} transactions, ${conflicts} conflicts, ${this.host.store.fileReads} document reads from the file`);
    }
    if (this.eluRun)
      console.log(
        `  event loop utilization over the run: ${(this.eluRun.utilization * 100).toFixed(1)}%  (timer lateness total ${(lateSum / lanes).toFixed(1)} ms/lane)`,
      );
  }
}

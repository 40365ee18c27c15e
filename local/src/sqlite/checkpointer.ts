/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses the WAL threshold and syncs the database file there: a stall of several (on a busy disk,
 * tens of) milliseconds every few hundred commits, which delays every timer in the process (AI
 * calls finishing, SSE). Instead the main connection turns auto-checkpoints off and a worker thread
 * with its own connection runs PASSIVE checkpoints (never blocking the writer) on an interval, so
 * the copying and syncing happen there. A WAL that cannot be restarted while writes keep coming is
 * truncated by the main connection once it passes `maxWalBytes` (one short stall per tens of MB).
 */
import fs from "node:fs";
import { Worker } from "node:worker_threads";
import type { Db } from "./open-db";

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const Database = require(workerData.modulePath);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 1000");
setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch (err) { /* tried again on the next tick */ }
}, workerData.intervalMs);
`;

export interface CheckpointerOptions {
  intervalMs?: number;
  maxWalBytes?: number;
}

export class Checkpointer {
  private readonly worker: Worker;
  private readonly maxWalBytes: number;
  private commits = 0;

  constructor(
    private readonly db: Db,
    opts: CheckpointerOptions = {},
    onWorkerError: (err: unknown) => void = () => {},
  ) {
    this.maxWalBytes = opts.maxWalBytes ?? 64 * 1024 * 1024;
    db.pragma("wal_autocheckpoint = 0");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: db.name, intervalMs: opts.intervalMs ?? 100, modulePath: require.resolve("better-sqlite3") },
    });
    this.worker.unref();
    this.worker.on("error", (err) => {
      // Without the worker, fall back to SQLite's own checkpoints on the main connection.
      onWorkerError(err);
      if (this.db.open) this.db.pragma("wal_autocheckpoint = 1000");
    });
  }

  /** Call after each commit (outside any transaction): truncates an oversized WAL now and then. */
  afterCommit(): void {
    if (++this.commits % 256 !== 0 || this.db.inTransaction) return;
    let size = 0;
    try {
      size = fs.statSync(`${this.db.name}-wal`).size;
    } catch {
      return;
    }
    if (size > this.maxWalBytes) this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Progress on stderr while a batch runs: a redrawn bar when stderr is a terminal, otherwise a
 * plain line at most every few seconds (and at the end), so logs stay readable in CI.
 */
import { formatUsd, type Job } from "@flowcraft/core";

export interface ProgressSink {
  update(job: Job): void;
  finish(job: Job): void;
}

function counts(job: Job): string {
  const done = job.completedRows + job.failedRows;
  const failed = job.failedRows > 0 ? `, ${job.failedRows} failed` : "";
  return `${done}/${job.totalRows} rows${failed}, ${formatUsd(job.costUsd ?? 0)}`;
}

export function createProgress(stream: NodeJS.WriteStream, startedAt: number, intervalMs = 2_000): ProgressSink {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  let lastText = "";
  const elapsed = (): string => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  const bar = (job: Job): string => {
    const width = 30;
    const frac = job.totalRows === 0 ? 1 : (job.completedRows + job.failedRows) / job.totalRows;
    const filled = Math.round(frac * width);
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor(frac * 100)}% ${counts(job)} ${elapsed()}`;
  };
  return {
    update(job) {
      if (tty) {
        stream.write(`\r${bar(job)}\x1b[K`);
        return;
      }
      const text = counts(job);
      if (Date.now() - lastLine < intervalMs || text === lastText) return;
      lastLine = Date.now();
      lastText = text;
      stream.write(`progress: ${text} (${elapsed()})\n`);
    },
    finish(job) {
      if (tty) stream.write(`\r${bar(job)}\x1b[K\n`);
      stream.write(
        `${job.status}: ${job.completedRows} succeeded, ${job.failedRows} failed of ${job.totalRows} rows in ${elapsed()}, ${formatUsd(job.costUsd ?? 0)} spent\n`,
      );
    },
  };
}

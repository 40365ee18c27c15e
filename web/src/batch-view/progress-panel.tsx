/** Live progress: a two-colour bar and the numbers (done, failed, total, rate, time left, tokens). */
import { formatUsd } from "@core/governor/format-usd";
import { isPaused, isPending, isRunning } from "@core/batch/statuses";
import { useMemo } from "react";
import type { Job } from "../backend/types";
import { computeProgress, countSeen, formatDuration, formatRate, withSeenResults, type ProgressSample } from "../lib/progress";
import type { ResultsByRow } from "../lib/results-merge";
import { waitsOnProvider } from "../lib/economy-view";

interface ProgressPanelProps {
  job: Job;
  samples: ProgressSample[];
  now: number;
  /** Live results: a running job's counts never trail them (the job's counters are a roll-up). */
  results: ResultsByRow;
}

export function ProgressPanel({ job, samples, now, results }: ProgressPanelProps) {
  const seen = useMemo(() => countSeen(results.values()), [results]);
  const p = computeProgress(withSeenResults(job, seen), now, samples);
  const pct = (n: number): string => `${p.total === 0 ? 0 : (n / p.total) * 100}%`;
  const running = isRunning(job.status) || isPending(job.status);
  const paused = isPaused(job.status);
  // Rows of an economy job wait on provider batch jobs: the realtime rate says nothing about when they end.
  const providerWait = waitsOnProvider(job);
  return (
    <section className="card field" aria-label="Progress" style={{ gap: 12 }}>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label="Rows finished"
        aria-valuemin={0}
        aria-valuemax={p.total}
        aria-valuenow={p.finished}
        aria-valuetext={`${p.finished} of ${p.total} rows finished, ${p.failed} failed`}
      >
        <div className="ok" style={{ width: pct(p.succeeded) }} />
        <div className="bad" style={{ width: pct(p.failed) }} />
        <div className="skip" style={{ width: pct(p.skipped) }} />
      </div>
      <dl className="stats" aria-live="polite">
        <div className="stat">
          <dt>Done</dt>
          <dd data-testid="stat-done">
            {p.finished.toLocaleString()} / {p.total.toLocaleString()}
          </dd>
        </div>
        <div className="stat">
          <dt>Succeeded</dt>
          <dd data-testid="stat-succeeded" style={{ color: "var(--ok)" }}>
            {p.succeeded.toLocaleString()}
          </dd>
        </div>
        <div className="stat">
          <dt>Failed</dt>
          <dd data-testid="stat-failed" style={{ color: p.failed > 0 ? "var(--bad)" : undefined }}>
            {p.failed.toLocaleString()}
          </dd>
        </div>
        {p.skipped > 0 && (
          <div className="stat">
            <dt>Not run (cancelled)</dt>
            <dd>{p.skipped}</dd>
          </div>
        )}
        <div className="stat">
          <dt>Rate</dt>
          <dd data-testid="stat-rate">{formatRate(p.ratePerMin)}</dd>
        </div>
        <div className="stat">
          <dt>{running || paused ? "Time left" : "Finished"}</dt>
          <dd data-testid="stat-time-left">
            {paused
              ? "paused"
              : providerWait
                ? "up to 24 h"
                : running
                  ? p.etaMs === null
                    ? "–"
                    : formatDuration(p.etaMs)
                  : job.finishedAt
                    ? new Date(job.finishedAt).toLocaleTimeString()
                    : "–"}
          </dd>
        </div>
        <div className="stat">
          <dt>Elapsed</dt>
          <dd data-testid="stat-elapsed">{p.elapsedMs === null ? "–" : formatDuration(p.elapsedMs)}</dd>
        </div>
        <div className="stat">
          <dt>Tokens</dt>
          <dd>{job.usage.totalTokens.toLocaleString()}</dd>
        </div>
        <div className="stat">
          <dt>{job.budgetUsd ? "Cost / budget" : "Cost"}</dt>
          <dd data-testid="stat-cost">
            {formatUsd(job.costUsd)}
            {job.budgetUsd ? ` / ${formatUsd(job.budgetUsd)}` : ""}
          </dd>
        </div>
      </dl>
    </section>
  );
}

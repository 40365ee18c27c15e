/**
 * Live state of one batch: the job (with progress samples for the rate), its results merged by
 * row, and the last error. Result changes are buffered and applied at most every 100 ms so a fast
 * batch of 10,000 rows does not re-render once per row.
 */
import { useEffect, useRef, useState } from "react";
import { useBackend } from "../backend/backend-context";
import type { BackendError, Job, ResultsChange } from "../backend/types";
import { addSample, sampleOf, type ProgressSample } from "../lib/progress";
import { applyChanges, type ResultsByRow } from "../lib/results-merge";
import { cachedJob, rememberJob } from "./job-cache";

const FLUSH_MS = 100;

export interface JobWatch {
  job: Job | null;
  results: ResultsByRow;
  samples: ProgressSample[];
  error: BackendError | null;
  /** Apply a job returned by an action (cancel, retry, ...) before the stream reports it. */
  setJob: (job: Job) => void;
  /** Apply a local change to the results (e.g. drop failed rows that a retry deleted). */
  applyResults: (fn: (r: ResultsByRow) => ResultsByRow) => void;
}

export function useJobWatch(jobId: string): JobWatch {
  const { backend } = useBackend();
  const [job, setJobState] = useState<Job | null>(() => cachedJob(jobId));
  const [results, setResults] = useState<ResultsByRow>(() => new Map());
  const [samples, setSamples] = useState<ProgressSample[]>([]);
  const [error, setError] = useState<BackendError | null>(null);
  const pending = useRef<ResultsChange[]>([]);

  const setJob = (next: Job): void => {
    rememberJob(next);
    setJobState((cur) => (cur && cur.updatedAt > next.updatedAt && cur.status === next.status ? cur : next));
    setSamples((s) => addSample(s, sampleOf(next)));
  };

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = (): void => {
      timer = null;
      const changes = pending.current;
      pending.current = [];
      setResults((cur) => applyChanges(cur, changes));
    };
    backend.get(jobId).then(setJob, (err: BackendError) => setError(err));
    const stopJob = backend.watchJob(
      jobId,
      (j) => {
        setError(null);
        setJob(j);
      },
      setError,
    );
    const stopResults = backend.watchResults(
      jobId,
      (change) => {
        pending.current.push(change);
        timer ??= setTimeout(flush, FLUSH_MS);
      },
      setError,
    );
    return () => {
      stopJob();
      stopResults();
      if (timer) clearTimeout(timer);
    };
    // setJob only uses state setters, which are stable.
  }, [backend, jobId]);

  return { job, results, samples, error, setJob, applyResults: (fn) => setResults(fn) };
}

/** Re-renders every `ms` while `active`, for clocks (elapsed, time left). */
export function useNow(active: boolean, ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [active, ms]);
  return active ? now : Date.now();
}

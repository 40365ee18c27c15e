/** One batch: live progress, actions, and the per-row results. */
import { useMemo, useState } from "react";
import { isCancelling, isRunning, isTerminal } from "@core/batch/statuses";
import type { EditorFlow } from "../lib/flow-model";
import { navigate, routeHref } from "../ui/use-hash-route";
import { dropFailed } from "../lib/results-merge";
import { EmptyState, ErrorBanner, Spinner, StatusBadge } from "../ui/feedback";
import { PausedBanner } from "./paused-banner";
import { WaitBanner } from "./wait-banner";
import { BatchControls } from "./batch-controls";
import { BatchFlowView } from "./batch-flow-view";
import { DeleteBatchButton } from "./delete-batch-button";
import { ProgressPanel } from "./progress-panel";
import { RerunPanel } from "./rerun-panel";
import { ResultsTable } from "./results-table";
import { useJobWatch, useNow } from "./use-job-watch";
import { EconomyPanel } from "../economy/economy-panel";
import { economyOf, layerNodes } from "../lib/economy-view";

/**
 * `currentFlow`: the editor's flow (JSON), which "Re-run with current flow" sends and the flow view
 * compares with. `onOpenInEditor` loads the batch's flow into the editor.
 */
export function BatchView({
  jobId,
  currentFlow,
  onOpenInEditor,
}: {
  jobId: string;
  currentFlow?: unknown;
  onOpenInEditor?: (flow: EditorFlow, name: string) => void;
}) {
  const watch = useJobWatch(jobId);
  // Rows picked in the results table, re-run by the re-run panel.
  const [selected, setSelected] = useState<ReadonlySet<number>>(() => new Set());
  const { job, error } = watch;
  const now = useNow(!!job && !isTerminal(job.status));
  const economy = job ? economyOf(job) : null;
  const flowConfig = job?.flowConfig;
  const economyNodes = useMemo(() => (flowConfig ? layerNodes(flowConfig) : new Map<number, string[]>()), [flowConfig]);

  if (!job) {
    return (
      <div className="page">
        <a href={routeHref({ name: "batches" })}>← All batches</a>
        {error ? (
          error.info.code === "not_found" ? (
            <EmptyState title="This batch does not exist">
              <p>It may have been created on another server or data directory.</p>
            </EmptyState>
          ) : (
            <ErrorBanner title="Cannot load the batch" error={error.info} onRetry={() => window.location.reload()} />
          )
        ) : (
          <Spinner label="Loading the batch…" />
        )}
      </div>
    );
  }

  return (
    <div className="page">
      <a href={routeHref({ name: "batches" })}>← All batches</a>
      <div className="row">
        <h2 data-testid="batch-name">{job.name}</h2>
        <span data-testid="batch-status">
          <StatusBadge status={job.status} />
        </span>
        {job.mode === "economy" && (
          <span className="pill" data-testid="batch-mode" title="Text steps run through provider batch jobs at the batch price">
            economy mode
          </span>
        )}
        {isCancelling(job) && <span className="hint">cancelling: rows in flight finish first</span>}
        <div className="spacer" />
        <span className="hint">
          {job.totalRows.toLocaleString()} rows · concurrency {job.concurrency} · created {new Date(job.createdAt).toLocaleString()}
          {job.pass > 0 ? ` · retry pass ${job.pass}` : ""}
        </span>
        <DeleteBatchButton job={job} onDeleted={() => navigate({ name: "batches" })} />
      </div>
      {error && <ErrorBanner error={error.info} />}
      {job.error && <ErrorBanner title="The batch failed" error={job.error} />}
      <PausedBanner job={job} onJob={watch.setJob} />
      {isRunning(job.status) && <WaitBanner waits={job.retrying ?? []} now={now} />}
      <ProgressPanel job={job} samples={watch.samples} now={now} results={watch.results} />
      {economy && <EconomyPanel job={job} economy={economy} nodes={economyNodes} now={now} />}
      <BatchControls job={job} onJob={watch.setJob} onRetried={() => watch.applyResults(dropFailed)} />
      {onOpenInEditor && <BatchFlowView snapshot={job.flowConfig} currentFlow={currentFlow} onOpenInEditor={(flow) => onOpenInEditor(flow, job.name)} />}
      {currentFlow !== undefined && (
        <RerunPanel job={job} currentFlow={currentFlow} onJob={watch.setJob} selected={selected} onRerun={() => setSelected(new Set())} />
      )}
      <ResultsTable job={job} results={watch.results} now={now} selected={selected} onSelect={setSelected} />
    </div>
  );
}

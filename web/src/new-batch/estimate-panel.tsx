/**
 * The run dialog's estimate: cost in USD and time, low / expected / high, asked for on demand
 * before Run (the server counts the prompts; nothing is created and nothing generated). The
 * realtime and economy prices stand side by side (economy: n/a when it has nothing to batch),
 * the chosen mode's marked.
 */
import type { JobMode } from "@core/economy/economy-mode";
import { formatUsd } from "@core/governor/format-usd";
import { useEffect, useState } from "react";
import type { BatchBackend, BatchEstimate, BackendError, EstimateBatchInput } from "../backend/types";
import { toBackendError } from "../backend/types";
import { estimateRows } from "../lib/estimate-rows";
import { formatDuration } from "../lib/progress";
import { ErrorBanner, Spinner } from "../ui/feedback";

type State = { kind: "idle" } | { kind: "loading" } | { kind: "done"; estimate: BatchEstimate } | { kind: "error"; error: BackendError };

interface Props {
  backend: BatchBackend;
  /** Null while the batch cannot run yet (no CSV, problems): nothing to estimate. */
  input: EstimateBatchInput | null;
  /** The mode chosen in the dialog (default realtime): its price is marked as the one that applies. */
  mode?: JobMode;
}

export function EstimatePanel({ backend, input, mode = "realtime" }: Props) {
  const [state, setState] = useState<State>({ kind: "idle" });
  // A changed CSV, mapping or concurrency makes the last estimate stale.
  useEffect(() => setState({ kind: "idle" }), [input]);
  const ask = (): void => {
    if (!input) return;
    setState({ kind: "loading" });
    backend
      .estimate({ ...input, rows: estimateRows(input.rows), totalRows: input.rows.length })
      .then((estimate) => setState({ kind: "done", estimate }))
      .catch((err: unknown) => setState({ kind: "error", error: toBackendError(err) }));
  };
  return (
    <section aria-label="Estimate" className="field">
      <div className="row">
        <h3>Estimate</h3>
        <button type="button" onClick={ask} disabled={!input || state.kind === "loading"}>
          Estimate cost and time
        </button>
        {state.kind === "loading" && <Spinner label="Counting the prompts…" />}
      </div>
      {state.kind === "error" && <ErrorBanner title="No estimate" error={state.error.info} />}
      {state.kind === "done" && <EstimateFigures estimate={state.estimate} mode={mode} />}
    </section>
  );
}

const chosen = (on: boolean): string => (on ? " (chosen)" : "");

export function EstimateFigures({ estimate: e, mode = "realtime" }: { estimate: BatchEstimate; mode?: JobMode }) {
  const economy = e.economyCostUsd;
  return (
    <>
      <dl className="stats" data-testid="estimate">
        <div className={`stat${mode === "realtime" ? " chosen" : ""}`}>
          <dt>Realtime cost (expected){chosen(mode === "realtime")}</dt>
          <dd data-testid="estimate-cost">{formatUsd(e.costUsd.expected)}</dd>
        </div>
        <div className="stat">
          <dt>Realtime cost range</dt>
          <dd data-testid="estimate-cost-range">
            {formatUsd(e.costUsd.low)} – {formatUsd(e.costUsd.high)}
          </dd>
        </div>
        <div className={`stat${mode === "economy" ? " chosen" : ""}`}>
          <dt>Economy cost (expected){chosen(mode === "economy")}</dt>
          <dd data-testid="estimate-economy-cost">{economy ? formatUsd(economy.expected) : "n/a"}</dd>
        </div>
        <div className="stat">
          <dt>Economy cost range</dt>
          <dd data-testid="estimate-economy-cost-range">{economy ? `${formatUsd(economy.low)} – ${formatUsd(economy.high)}` : "nothing to batch"}</dd>
        </div>
        <div className="stat">
          <dt>{mode === "economy" ? "Time if realtime (expected)" : "Time (expected)"}</dt>
          <dd data-testid="estimate-time">{formatDuration(e.durationMs.expected)}</dd>
        </div>
        <div className="stat">
          <dt>Time range</dt>
          <dd>
            {formatDuration(e.durationMs.low)} – {formatDuration(e.durationMs.high)}
          </dd>
        </div>
        {mode === "economy" && (
          <div className="stat chosen">
            <dt>Time in economy</dt>
            <dd data-testid="estimate-economy-time">up to 24 h</dd>
          </div>
        )}
      </dl>
      <p className="hint">
        {e.calls.toLocaleString()} AI calls, {e.inputTokens.toLocaleString()} input tokens
        {e.tokenCounter === "provider" ? " (counted by the provider)" : " (approximated)"}
        {e.sampled ? `, from a sample of ${e.sampleRows} rows` : ""}. High assumes every answer reaches its maxOutputTokens; prices {e.priceTableVersion}.
        {e.perNode.some((n) => !n.priced) ? " Some models have no price and count as $0." : ""}
        {economy ? " Economy: text calls at the provider's batch price; results can take up to 24 h." : ""}
      </p>
    </>
  );
}

/**
 * The run dialog's estimate: cost in USD and time, low / expected / high, asked for on demand
 * before Run (the server counts the prompts; nothing is created and nothing generated).
 */
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
}

export function EstimatePanel({ backend, input }: Props) {
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
      {state.kind === "done" && <EstimateFigures estimate={state.estimate} />}
    </section>
  );
}

function EstimateFigures({ estimate: e }: { estimate: BatchEstimate }) {
  return (
    <>
      <dl className="stats" data-testid="estimate">
        <div className="stat">
          <dt>Cost (expected)</dt>
          <dd data-testid="estimate-cost">{formatUsd(e.costUsd.expected)}</dd>
        </div>
        <div className="stat">
          <dt>Cost range</dt>
          <dd data-testid="estimate-cost-range">
            {formatUsd(e.costUsd.low)} – {formatUsd(e.costUsd.high)}
          </dd>
        </div>
        <div className="stat">
          <dt>Time (expected)</dt>
          <dd data-testid="estimate-time">{formatDuration(e.durationMs.expected)}</dd>
        </div>
        <div className="stat">
          <dt>Time range</dt>
          <dd>
            {formatDuration(e.durationMs.low)} – {formatDuration(e.durationMs.high)}
          </dd>
        </div>
      </dl>
      <p className="hint">
        {e.calls.toLocaleString()} AI calls, {e.inputTokens.toLocaleString()} input tokens
        {e.tokenCounter === "provider" ? " (counted by the provider)" : " (approximated)"}
        {e.sampled ? `, from a sample of ${e.sampleRows} rows` : ""}. High assumes every answer reaches its maxOutputTokens; prices {e.priceTableVersion}.
        {e.perNode.some((n) => !n.priced) ? " Some models have no price and count as $0." : ""}
      </p>
    </>
  );
}

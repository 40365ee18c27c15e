/**
 * Batch setup (the BatchModal): upload a CSV (parsed in a Web Worker), preview it, map its columns
 * onto the flow's inputs, see per-row problems before anything is spent, pick a concurrency (and,
 * optionally, calls at once per step type), pick realtime or economy mode, see the estimated cost
 * (both modes' prices) and time, run.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { useId } from "react";
import { parseUsd } from "@core/governor/format-usd";
import type { JobMode } from "@core/economy/economy-mode";
import { useBackend } from "../backend/backend-context";
import { toBackendError, type BackendError, type Job } from "../backend/types";
import { applyMapping, suggestMapping, unmappedInputs, type ColumnMapping } from "../lib/column-mapping";
import { callLimitsFrom, stepKindsOf, type KindFields } from "../lib/call-limits-form";
import { checkRows, rowsToSubmit } from "../lib/row-checks";
import { validateFlow } from "../lib/validate-flow";
import { describeDetail } from "../lib/validation-display";
import { ConcurrencySlider, SLIDER_MAX } from "../ui/concurrency-slider";
import { Dialog } from "../ui/dialog";
import { ErrorBanner, Spinner } from "../ui/feedback";
import { CallLimitsFields } from "./call-limits-fields";
import { ColumnMapper } from "./column-mapper";
import { CsvPreview } from "./csv-preview";
import { CsvUpload } from "./csv-upload";
import { parseCsvOffThread, type ParsedTable } from "./parse-csv-off-thread";
import { CsvReading } from "./csv-reading";
import type { CsvHead, CsvReadProgress } from "./stream-csv";
import { EstimatePanel } from "./estimate-panel";
import { RowProblems } from "./row-problems";
import { rememberJob } from "../batch-view/job-cache";
import { EconomyToggle } from "../economy/economy-toggle";
import { economyChoice } from "../lib/economy-view";

interface Props {
  flow: unknown;
  flowName: string;
  inputs: string[];
  sampleCsv: string | null;
  onClose: () => void;
  onStarted: (job: Job) => void;
}

interface Loaded extends ParsedTable {
  fileName: string;
}

/** The budget field: empty is no budget; otherwise a positive amount in USD. */
function parseBudget(text: string): { ok: boolean; usd?: number } {
  const t = text.trim().replace(/^\$/, "");
  if (t === "") return { ok: true };
  const usd = parseUsd(t);
  return usd !== null ? { ok: true, usd } : { ok: false };
}

export function BatchModal({ flow, flowName, inputs, sampleCsv, onClose, onStarted }: Props) {
  const { backend, config } = useBackend();
  const limits = config.limits;
  const nameId = useId();
  const [table, setTable] = useState<Loaded | null>(null);
  const [parsing, setParsing] = useState(false);
  const [head, setHead] = useState<CsvHead | null>(null);
  const [readProgress, setReadProgress] = useState<CsvReadProgress | null>(null);
  const [parseError, setParseError] = useState<BackendError | null>(null);
  const [mapping, setMapping] = useState<ColumnMapping>({});
  const [skipWarnings, setSkipWarnings] = useState(false);
  const [concurrency, setConcurrency] = useState(Math.min(limits.defaultConcurrency, SLIDER_MAX));
  const [kindFields, setKindFields] = useState<KindFields>({});
  const economy = useMemo(() => economyChoice(flow), [flow]);
  const [modeChoice, setModeChoice] = useState<JobMode>("realtime");
  // A flow that cannot run in economy mode runs realtime, whatever was picked before.
  const mode: JobMode = economy.available ? modeChoice : "realtime";
  const [name, setName] = useState(flowName);
  const budgetId = useId();
  const [budgetText, setBudgetText] = useState("");
  const webhookId = useId();
  const [webhookUrl, setWebhookUrl] = useState("");
  const budget = parseBudget(budgetText);
  const [nameEdited, setNameEdited] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  /** Share of a large batch's CSV uploaded so far (null: nothing being uploaded). */
  const [uploaded, setUploaded] = useState<number | null>(null);
  const [submitError, setSubmitError] = useState<BackendError | null>(null);
  const submitErrorRef = useRef<HTMLDivElement>(null);
  // The error lands at the end of a long dialog body: bring it into view, next to the Run button.
  useEffect(() => {
    if (submitError) submitErrorRef.current?.scrollIntoView({ block: "nearest" });
  }, [submitError]);

  const load = (source: Blob | string, fileName: string): void => {
    setParsing(true);
    setParseError(null);
    setSubmitError(null);
    setTable(null);
    setHead(null);
    setReadProgress(null);
    parseCsvOffThread(source, limits, { onHead: setHead, onProgress: setReadProgress })
      .then((parsed) => {
        setTable({ ...parsed, fileName });
        setMapping(suggestMapping(inputs, parsed.columns));
        if (!nameEdited) setName(`${flowName} · ${fileName}`);
      })
      .catch((err: unknown) => {
        setTable(null);
        setParseError(toBackendError(err));
      })
      .finally(() => setParsing(false));
  };

  const mapped = useMemo(() => (table ? applyMapping(mapping, table) : null), [table, mapping]);
  const report = useMemo(() => (mapped ? checkRows({ columns: mapped.columns, rows: mapped.rows, required: inputs, limits }) : null), [mapped, inputs, limits]);
  const flowCheck = useMemo(
    () => (mapped ? validateFlow(flow, { columns: mapped.columns, maxNodes: limits.maxNodes }) : null),
    [flow, mapped, limits.maxNodes],
  );
  const flowNodes = (flow as { nodes?: Array<{ id: string }> }).nodes ?? [];
  const missing = unmappedInputs(mapping, inputs);
  const rows = mapped && report ? rowsToSubmit(mapped.rows, report, skipWarnings) : [];
  const kinds = useMemo(() => stepKindsOf(flow), [flow]);
  const callLimits = callLimitsFrom(kindFields, kinds);
  const limitsOk = Object.keys(callLimits.errors).length === 0;
  const ready = !!mapped && !!report && report.errorCount === 0 && missing.length === 0 && rows.length > 0 && !!flowCheck?.ok;
  const canRun = ready && limitsOk && budget.ok && !submitting;
  // Memoised on what the rows derive from, so the estimate goes stale only when they change.
  const estimateInput = useMemo(
    () => (ready && mapped && report ? { flow, columns: mapped.columns, rows: rowsToSubmit(mapped.rows, report, skipWarnings), concurrency } : null),
    [ready, mapped, report, flow, concurrency, skipWarnings],
  );

  const run = (): void => {
    if (!mapped) return;
    setSubmitting(true);
    setSubmitError(null);
    backend
      .create({
        name: name.trim() || undefined,
        flow,
        columns: mapped.columns,
        rows,
        concurrency,
        mode,
        start: true,
        ...(callLimits.callLimits ? { callLimits: callLimits.callLimits } : {}),
        ...(budget.usd !== undefined ? { budgetUsd: budget.usd } : {}),
        onUploadProgress: (f) => setUploaded(f),
        ...(webhookUrl.trim() !== "" ? { webhookUrl: webhookUrl.trim() } : {}),
      })
      .then((job) => {
        rememberJob(job);
        onStarted(job);
      })
      .catch((err: unknown) => setSubmitError(toBackendError(err)))
      .finally(() => {
        setSubmitting(false);
        setUploaded(null);
      });
  };

  const footer = (
    <>
      {submitting && <Spinner label={uploaded !== null && uploaded < 1 ? `Uploading the CSV… ${Math.floor(uploaded * 100)}%` : "Creating the batch…"} />}
      <span className="hint">{mapped ? `${rows.length.toLocaleString()} row${rows.length === 1 ? "" : "s"} will run` : ""}</span>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
      <button type="button" className="primary" disabled={!canRun} onClick={run}>
        Run {rows.length > 0 ? `${rows.length.toLocaleString()} row${rows.length === 1 ? "" : "s"}` : "batch"}
      </button>
    </>
  );

  return (
    <Dialog title="Run the flow over a CSV" onClose={onClose} footer={footer} wide>
      <CsvUpload busy={parsing} onFile={(file) => load(file, file.name)} onSample={sampleCsv ? () => load(sampleCsv, "sample.csv") : undefined} />
      {parsing && (head || readProgress ? <CsvReading head={head} progress={readProgress} /> : <Spinner label="Reading the CSV…" />)}
      {parseError && <ErrorBanner title="The CSV cannot be used" error={parseError.info} />}
      {table && mapped && report && (
        <>
          <section aria-label="CSV preview" className="field">
            <h3>
              {table.fileName}: {table.rows.length.toLocaleString()} row{table.rows.length === 1 ? "" : "s"}, {table.columns.length} column
              {table.columns.length === 1 ? "" : "s"}
            </h3>
            <CsvPreview columns={mapped.columns} rows={mapped.rows} />
          </section>
          <section aria-label="Map columns" className="field">
            <h3>Map CSV columns to the flow's inputs</h3>
            <ColumnMapper inputs={inputs} csvColumns={table.columns} mapping={mapping} onChange={setMapping} />
          </section>
          <section aria-label="Checks" className="field">
            <h3>Checks</h3>
            {flowCheck && !flowCheck.ok && missing.length === 0 && (
              <ErrorBanner
                title="The flow does not fit this CSV"
                error={{ code: "invalid_flow", retryable: false, message: flowCheck.details.map((d) => describeDetail(d, flowNodes)).join(" · ") }}
              />
            )}
            <RowProblems report={report} skip={skipWarnings} onSkip={setSkipWarnings} />
          </section>
        </>
      )}
      <section aria-label="Run settings" className="row" style={{ alignItems: "flex-start", gap: 24 }}>
        <div className="field" style={{ flex: 1, minWidth: 240 }}>
          <label htmlFor={nameId}>Batch name</label>
          <input
            id={nameId}
            type="text"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setNameEdited(true);
            }}
          />
        </div>
        <div style={{ flex: 1, minWidth: 280 }}>
          <ConcurrencySlider value={concurrency} max={Math.min(SLIDER_MAX, limits.maxConcurrency)} onChange={setConcurrency} />
        </div>
        <div className="field" style={{ flex: 1, minWidth: 180 }}>
          <label htmlFor={budgetId}>Budget (USD, optional)</label>
          <input
            id={budgetId}
            type="text"
            inputMode="decimal"
            placeholder="no limit"
            value={budgetText}
            aria-invalid={!budget.ok}
            aria-describedby={`${budgetId}-hint`}
            onChange={(e) => setBudgetText(e.target.value)}
          />
          <span id={`${budgetId}-hint`} className={budget.ok ? "hint" : "error-text"}>
            {budget.ok ? "The batch pauses when its spend reaches this; raise it to resume." : "Enter an amount above 0, e.g. 2.50"}
          </span>
        </div>
        <div className="field" style={{ flex: 2, minWidth: 240 }}>
          <label htmlFor={webhookId}>Webhook URL (optional)</label>
          <input
            id={webhookId}
            type="url"
            placeholder="https://example.com/hooks/flowcraft"
            value={webhookUrl}
            aria-describedby={`${webhookId}-hint`}
            onChange={(e) => setWebhookUrl(e.target.value)}
          />
          <span id={`${webhookId}-hint`} className="hint">
            Called (signed, see Settings) when the batch finishes, pauses or fails. https only; http on 127.0.0.1 for the local host.
          </span>
        </div>
      </section>
      <EconomyToggle mode={mode} choice={economy} onChange={setModeChoice} />
      <CallLimitsFields kinds={kinds} values={kindFields} errors={callLimits.errors} onChange={setKindFields} />
      <EstimatePanel backend={backend} input={estimateInput} mode={mode} />
      {submitError && (
        <div ref={submitErrorRef}>
          <ErrorBanner title="The batch was not created" error={submitError.info} />
        </div>
      )}
    </Dialog>
  );
}

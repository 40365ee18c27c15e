/**
 * The one interface the UI talks to. Two implementations: the local host (HTTP API + Server-Sent
 * Events, see local-backend.ts) and Firebase (callables + Firestore onSnapshot, see
 * firebase-backend.ts). Chosen by `VITE_BACKEND` (select-backend.ts).
 */
import type { ErrorInfo } from "@core/errors";
import type { BatchLimits } from "@core/batch/limits";
import type { Job, RowResult } from "@core/batch/model";
import type { UsageTotals } from "@core/batch/model";
import type { BatchEstimate } from "@core/batch/estimate";
import type { InputRow, RowsPage } from "@core/batch/rows-page";
import type { JobCallLimits } from "@core/governor/port";
import type { JobMode } from "@core/economy/economy-mode";
import type { GovernorSettings, LimitsUpdate } from "@core/governor/settings";
import type { WebhookSecretInfo } from "@core/webhooks/webhook-secrets";
import type { ResultsChange } from "../lib/results-merge";

export type { Job, RowResult, ErrorInfo, BatchLimits, ResultsChange, GovernorSettings, LimitsUpdate, BatchEstimate, InputRow, RowsPage, WebhookSecretInfo };

export type BackendKind = "local" | "firebase";

/** Which rows a re-run covers, and the flow it runs (absent: the batch's own). */
export interface RerunRequest {
  rows: "failed" | "not-run" | "all" | number[];
  flow?: unknown;
}

export interface BackendConfig {
  backend: BackendKind;
  /** The AI provider the server uses ("offline" needs no key; "gemini" spends tokens). */
  provider: string;
  limits: BatchLimits;
}

export interface FlowExample {
  id: string;
  name: string;
  description: string;
  flow: unknown;
  csv: string;
}

export interface CreateBatchInput {
  name?: string;
  flow: unknown;
  columns: string[];
  rows: Record<string, string>[];
  concurrency: number;
  /** `realtime` (absent: the server's default) or `economy`: text steps through provider batch jobs at the batch price. */
  mode?: JobMode;
  /** Optional per-batch calls at once by step type / model. */
  callLimits?: JobCallLimits;
  start: boolean;
  /** Spend cap in USD (absent: none): the batch pauses with reason `budget` when it is reached. */
  budgetUsd?: number;
  /** Called when the batch finishes, pauses or fails (the owner needs a webhook secret). */
  webhookUrl?: string;
  /** Idempotency key of this submit; the backend generates one when absent (submit-create.ts). */
  requestId?: string;
  /** Large batches are uploaded as a file first (upload-rows.ts): the share sent so far, 0–1. */
  onUploadProgress?: (fraction: number) => void;
}

/** What an estimate needs: the create input's flow and rows (or a sample of `totalRows` rows). */
export interface EstimateBatchInput {
  flow: unknown;
  columns: string[];
  rows: Record<string, string>[];
  totalRows?: number;
  concurrency: number;
  /** Run the flow on the first k rows first (real AI calls, reported in `dryRun`). */
  dryRunRows?: number;
}

/** A node output in a preview: media comes inline as a data URL instead of a stored reference. */
export type PreviewOutput =
  { kind: "text"; text: string } | { kind: "json"; text: string; value: unknown } | { kind: "media"; mimeType: string; dataUrl: string };

export interface PreviewNodeTrace {
  status: string;
  durationMs?: number;
  usage?: UsageTotals;
  error?: ErrorInfo;
  model?: string;
}

export interface PreviewRun {
  status: "succeeded" | "failed";
  outputs: Record<string, PreviewOutput>;
  nodeOutputs?: Record<string, PreviewOutput>;
  trace: Record<string, PreviewNodeTrace>;
  usage: UsageTotals;
  durationMs: number;
  error?: ErrorInfo & { nodeId?: string };
}

export type ExportFormat = "csv" | "jsonl" | "zip";

/** Export options (README "Exports"): detail columns, JSON fields spread, a BOM for Excel (CSV only). */
export interface ExportChoice {
  nodes?: boolean;
  spread?: boolean;
  bom?: boolean;
  /** Firebase only: media cells as signed URLs valid 15 minutes (the signMediaLinks callable) instead of storage paths. */
  signedLinks?: boolean;
}

/** Something the browser can download: a server URL or an object URL for a Blob built here. */
export interface ExportFile {
  url: string;
  filename: string;
  /** Frees an object URL once the download started. */
  release?: () => void;
}

export type Unsubscribe = () => void;

export interface BatchBackend {
  readonly kind: BackendKind;
  config(): Promise<BackendConfig>;
  examples(): Promise<FlowExample[]>;
  preview(flow: unknown, row: Record<string, string>): Promise<PreviewRun>;
  create(input: CreateBatchInput): Promise<Job>;
  /** Cost and time, low / expected / high, before running: creates nothing, generates nothing without a dry run. */
  estimate(input: EstimateBatchInput): Promise<BatchEstimate>;
  start(jobId: string): Promise<Job>;
  cancel(jobId: string): Promise<Job>;
  /** Pauses a running batch: no new row starts, rows already running finish. Idempotent. */
  pause(jobId: string): Promise<Job>;
  /** Resumes a paused batch, or a cancelled one's never-run rows as a new pass. */
  resume(jobId: string, opts?: { budgetUsd?: number }): Promise<Job>;
  setConcurrency(jobId: string, concurrency: number): Promise<Job>;
  /** Deletes a batch that is not running, with its rows, results and media (a running one is refused). */
  delete(jobId: string): Promise<void>;
  /** Whether the user has a webhook signing secret (never the secret). */
  getWebhookSecret(): Promise<WebhookSecretInfo>;
  /** Creates or replaces the webhook signing secret: the answer is the only time it is shown. */
  rotateWebhookSecret(): Promise<{ secret: string; createdAt: number }>;
  retryFailed(jobId: string): Promise<{ job: Job; rows: number }>;
  /** A new pass over chosen rows of a finished batch, optionally with another flow (README, "Re-running rows"). */
  rerunRows(jobId: string, request: RerunRequest): Promise<{ job: Job; rows: number }>;
  get(jobId: string): Promise<Job>;
  list(): Promise<Job[]>;
  /** Calls `onJob` with the current job and on every change until unsubscribed. */
  watchJob(jobId: string, onJob: (job: Job) => void, onError?: (err: BackendError) => void): Unsubscribe;
  /** Calls `onChange` with existing results first, then with each change. */
  watchResults(jobId: string, onChange: (change: ResultsChange) => void, onError?: (err: BackendError) => void): Unsubscribe;
  /** A page of the batch's input cells by row index (`cursor` = first row index, default 0). */
  rows(jobId: string, opts: { cursor?: number; limit?: number }): Promise<RowsPage>;
  /** csv, jsonl, or zip (the results CSV plus every image and video). */
  exportFile(job: Job, format: ExportFormat, choice?: ExportChoice): Promise<ExportFile>;
  /** A URL an <img>/<video> can load for a stored media reference. */
  mediaUrl(ref: string): Promise<string>;
  /** The AI limits every batch shares: per model default, override, and live adaptive state. */
  getLimits(): Promise<GovernorSettings>;
  /** Replaces each named model's override (`null` = back to the default); answers the new view. */
  setLimits(table: LimitsUpdate): Promise<GovernorSettings>;
}

/** Every failure the backend reports carries the server's safe ErrorInfo. */
export class BackendError extends Error {
  constructor(
    readonly info: ErrorInfo,
    readonly status?: number,
  ) {
    super(info.message);
    this.name = "BackendError";
  }
}

export function toBackendError(err: unknown): BackendError {
  if (err instanceof BackendError) return err;
  const message = err instanceof Error && err.message ? err.message : "Something went wrong";
  return new BackendError({ code: "internal", message, retryable: true });
}

export function exportFilename(job: Pick<Job, "id" | "name">, format: ExportFormat): string {
  const base = (job.name || job.id).replace(/[^\p{L}\p{N}_.-]+/gu, "-").replace(/^-+|-+$/g, "") || job.id;
  return `${base}.${format}`;
}

/**
 * The batch handlers' public surface: what hosts (Firebase functions, the local host, the
 * simulator) call. Hosts only wire events to these; all rules live behind them.
 *
 *   createJob / startJob / cancelJob / setConcurrency / retryFailed   ← callables / HTTP routes
 *   rerunRows                                                         ← callables / HTTP routes
 *   pauseJob / resumeJob                                              ← callables / HTTP routes
 *   runRowTask                                                        ← task queue delivery
 *   onResultCreated                                                   ← results/{rowId} created
 *   reconcile                                                         ← scheduler / host start-up
 *
 * Every handler is idempotent under duplicate delivery. Errors thrown are `FlowcraftError`s
 * (ValidationError with details for bad input, PermanentError("not_found" | "permission_denied" |
 * "failed_precondition" | "limit_exceeded" | "conflict")).
 */
import type { AiService } from "../ai/port";
import type { BlobStore } from "../ports/blob-store";
import type { Clock, Ids } from "../ports/clock";
import type { DocumentStore, Doc } from "../ports/store";
import type { TaskContext, TaskQueue } from "../ports/task-queue";
import type { Logger } from "../logger";
import type { Governor, JobCallLimits } from "../governor/port";
import type { PriceTable } from "../governor/prices";
import type { BatchLimits } from "./limits";
import type { BatchEstimate, EstimateInput } from "./estimate";
import type { Job, RowResult } from "./model";
import type { JobMode } from "../economy/economy-mode";
import type { RowsPage } from "./rows-page";
import type { WebhookTask } from "../webhooks/webhook-event";
import type { HostResolver } from "../webhooks/webhook-address";
import type { ProviderBatchJobs } from "../ai/batch-port";
import type { EconomyTask } from "../economy/economy-tasks";
import type { WebhookSecretInfo } from "../webhooks/webhook-secrets";

export type { BatchEstimate, EstimateInput, NodeEstimate } from "./estimate";
export type { Range as EstimateRange } from "./estimate-math";
export type { InputRow, RowsPage } from "./rows-page";

/** The payload of one row task. */
export interface RowTask {
  jobId: string;
  rowIndex: number;
  pass: number;
  /** The lane that dispatched it (see ARCHITECTURE.md). */
  lane: string;
  /** The lane's generation when the task was made (reconcile bumps it); absent = 0. */
  gen?: number;
  /**
   * Attempts the row used before this task (absent = 0). A retry the provider asked to delay is
   * re-enqueued as a new task with this raised, so the attempt budget spans both tasks.
   */
  attempt?: number;
}

/**
 * A trailing progress roll-up (see roll-up.ts). It travels on the row task queue, so every host
 * that delivers row tasks delivers it too; `runRowTask` routes it by `kind`.
 */
export interface RollUpTask {
  kind: "rollup";
  jobId: string;
  pass: number;
  /** Epoch ms from which the roll-up is allowed (end of the throttle window). */
  dueAt: number;
}

/** Every payload the batch task queue carries (webhook deliveries too: webhooks/webhook-event.ts). */
export type BatchTask = RowTask | RollUpTask | WebhookTask | EconomyTask;

/** Optional hooks for metrics and the simulator; called after the fact, never inside transactions. */
export interface BatchObserver {
  /** The engine starts running a row (one call per attempt that actually runs). */
  rowStarted?(e: { jobId: string; rowIndex: number; pass: number; attempt: number; at: number; lane?: string }): void;
  /** The engine finished (or threw) for that attempt; `retryAfterMs` is the provider's delay, if any. */
  rowEnded?(e: { jobId: string; rowIndex: number; pass: number; attempt: number; at: number; status: string; retryAfterMs?: number }): void;
  /** A row's final result was committed and counted (exactly once per row and pass). */
  rowCounted?(e: { jobId: string; rowIndex: number; pass: number; status: string }): void;
  /** The job reached a terminal status (exactly once per pass). */
  jobFinished?(e: { jobId: string; status: string; at: number }): void;
  /** The job was paused (once per pause, by whichever reason got there first). */
  jobPaused?(e: { jobId: string; reason: string; at: number }): void;
}

export interface BatchDeps {
  store: DocumentStore;
  queue: TaskQueue<BatchTask>;
  blobs: BlobStore;
  ai: AiService;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  limits: BatchLimits;
  observer?: BatchObserver;
  /**
   * Engine options: the in-process node retry policy, and the governor every AI call of every job
   * goes through (shared by all batches of the host; absent = calls are not governed).
   */
  engine?: { nodeRetry?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number }; governor?: Governor; governorMaxWaitMs?: number };
  /** The price table rows and jobs are costed with (default: DEFAULT_PRICES of governor/prices.ts). */
  prices?: PriceTable;
  /** Minimum ms between progress roll-ups into the job document (default 2,000). */
  rollUpIntervalMs?: number;
  /**
   * Removes what a host keeps of a deleted job outside the ports (the local queue's finished task
   * records); called by the purge, idempotent (see delete-job.ts).
   */
  purgeHostRecords?: (jobId: string) => Promise<void>;
  /**
   * Webhook delivery: `allowLoopback` lets batches call http(s)://127.0.0.1-style URLs (the local
   * host and tests; never on a deployed host); `blockPrivateAddresses` (deployed hosts) refuses
   * URLs that reach private, link-local, unique-local, CGNAT or metadata addresses, literal at
   * create time and resolved before each attempt (webhooks/webhook-address.ts); `resolve`
   * replaces the system resolver and `fetch` the node:http sender (tests).
   */
  webhooks?: { allowLoopback?: boolean; blockPrivateAddresses?: boolean; resolve?: HostResolver; fetch?: typeof fetch };
  /**
   * The economy driver (economy/economy-driver.ts): present = economy jobs send their text steps
   * through these provider batch jobs, layer by layer, from delayed tasks; absent = economy jobs
   * run their rows through realtime calls at the standard price.
   */
  economy?: EconomyDeps;
}

/** What the economy driver needs from the host. */
export interface EconomyDeps {
  /**
   * The provider's batch jobs. Absent in a process that holds no provider key (a Firebase function
   * not bound to the secret): it still starts economy jobs the economy way and records a cancel;
   * the layer and poll tasks, which need it, run where it is (the row task function).
   */
  batches?: ProviderBatchJobs;
  /** First wait between polls of a provider job, doubling up to `maxPollIntervalMs` (defaults 30 s, 10 min). */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** How long a provider job may take before its items fall back (default 24 h). */
  deadlineMs?: number;
  /** Unfinished items of a failed, expired or late provider job run realtime (default) or fail. */
  fallback?: boolean;
  /**
   * Submit leases taken before this time (epoch ms) are stale: a host alone on its store passes
   * its start time, so a restart adopts a provider job created just before a crash at once
   * (`ProviderJobDeps.staleLeasesBefore`). Absent: a crashed submitter's lease runs out (2 min).
   */
  staleLeasesBefore?: number;
}

export interface CreateJobInput {
  ownerId: string;
  name?: string;
  /** Raw flow JSON; validated with the CSV columns before anything is written. */
  flow: unknown;
  columns: string[];
  /** One object per row: column → cell value. */
  rows: Record<string, string>[];
  concurrency?: number;
  /** `realtime` (absent) or `economy`: text steps through provider batch jobs at the batch price. */
  mode?: JobMode;
  /** Per-job calls at once by step kind and/or model, applied by the governor (absent = none). */
  callLimits?: JobCallLimits;
  /** Start at once (otherwise the job stays `pending` until startJob). */
  start?: boolean;
  /** Spend cap in USD: the batch pauses with reason `budget` when it is reached (see budget.ts). */
  budgetUsd?: number;
  /** Called when the batch finishes, pauses or fails; the owner needs a webhook secret first. */
  webhookUrl?: string;
  /**
   * Idempotency key, one per submit (the client reuses it on its retries): the same owner and
   * request id return the job the first attempt created; a different payload is a `conflict`.
   */
  requestId?: string;
}

/** Rows that can be read more than once, the same each time (one read per pass). */
export interface RowSource {
  open(): AsyncIterable<Record<string, string>>;
}

/** A create whose rows are streamed (a file, an upload, a storage object): see create-streamed.ts. */
export type CreateFromRowsInput = Omit<CreateJobInput, "rows"> & { source: RowSource };

export interface Caller {
  ownerId: string;
}

export interface ResultsPage {
  results: RowResult[];
  /** Pass to the next call to continue; null at the end. */
  nextCursor: string | null;
}

export interface BatchHandlers {
  createJob(input: CreateJobInput): Promise<Job>;
  /** createJob, also saying whether an earlier attempt of the same `requestId` had created the job. */
  createJobOutcome(input: CreateJobInput): Promise<{ job: Job; replayed: boolean }>;
  /** createJobOutcome for rows read as a stream, twice (check, then write): see create-streamed.ts. */
  createJobFromRows(input: CreateFromRowsInput): Promise<{ job: Job; replayed: boolean }>;
  startJob(caller: Caller, jobId: string): Promise<Job>;
  cancelJob(caller: Caller, jobId: string): Promise<Job>;
  setConcurrency(caller: Caller, jobId: string, concurrency: number): Promise<Job>;
  /** Pauses a running job (reason `user`); idempotent. */
  pauseJob(caller: Caller, jobId: string): Promise<Job>;
  /**
   * Resumes a paused job (rows left), or a cancelled one as a new pass over its rows that never
   * ran; a running job is left as it is. `budgetUsd` is passed on to the budget cap.
   */
  resumeJob(caller: Caller, jobId: string, opts?: { budgetUsd?: number }): Promise<Job>;
  /** Re-runs only failed rows, each resuming from its failed node. Returns the rows queued. */
  retryFailed(caller: Caller, jobId: string): Promise<{ job: Job; rows: number }>;
  /**
   * A new pass over `failed`, `not-run`, `all` or listed rows of a finished job, optionally with an
   * edited flow (validated against the job's columns): unchanged nodes keep their outputs, changed
   * ones and their dependents run again (rerun-rows.ts). `request` is parsed (RerunRequest).
   */
  rerunRows(caller: Caller, jobId: string, request: unknown): Promise<{ job: Job; rows: number }>;
  getJob(caller: Caller, jobId: string): Promise<Job>;
  /**
   * Deletes a batch that is not running (pending or finished) with its rows, results, lanes,
   * claims, checkpoints, passes and media; `processing` or `paused` is failed_precondition (cancel first).
   */
  deleteJob(caller: Caller, jobId: string): Promise<{ id: string }>;
  /** Completes interrupted deletes, then deletes finished batches older than `retentionDays` (if given). */
  purgeExpired(opts: { retentionDays?: number; maxJobs?: number }): Promise<{ deleted: number; resumed: number }>;
  /** Whether the caller has a webhook secret (never the secret itself). */
  webhookSecretInfo(caller: Caller): Promise<WebhookSecretInfo>;
  /** Creates or replaces the caller's webhook signing secret; the answer is the only time it is shown. */
  rotateWebhookSecret(caller: Caller): Promise<{ secret: string; createdAt: number }>;
  listJobs(caller: Caller, opts?: { limit?: number }): Promise<Job[]>;
  listResults(caller: Caller, jobId: string, opts?: { limit?: number; cursor?: string | null }): Promise<ResultsPage>;
  /** Input cells by row index, a range read of the row chunks; the cursor is the first row index. */
  listRows(caller: Caller, jobId: string, opts?: { limit?: number; cursor?: string | null }): Promise<RowsPage>;
  /**
   * What a batch would cost and take (low / expected / high), before it runs: no job is created
   * and no generation call is made unless `dryRunRows` asks for a dry run (see estimate.ts).
   */
  estimateBatch(caller: Caller, input: EstimateInput): Promise<BatchEstimate>;

  /** Delivers one task of the batch queue: a row task, or a trailing roll-up (routed by `kind`). */
  runRowTask(task: BatchTask, ctx: TaskContext): Promise<void>;
  onResultCreated(resultDoc: Doc): Promise<void>;
  /** `batch_jobs/{id}/webhook_events/{key}` created: enqueue its delivery (webhooks/webhook-outbox.ts). */
  onWebhookEventCreated(eventDoc: Doc): Promise<void>;
  /** Finds stuck work (lanes whose row has no live task, jobs that should have finalized) and re-drives it. */
  /** Also removes the staged rows of creates that never committed (`abandonedCreates`). */
  reconcile(opts?: { jobId?: string; olderThanMs?: number }): Promise<{ redriven: number; finalized: number; abandonedCreates: number; webhookEvents: number }>;
}

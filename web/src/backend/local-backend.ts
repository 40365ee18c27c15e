/**
 * BatchBackend over the local host's HTTP API (see the interfaces brief): JSON calls through fetch,
 * live job and result updates through one shared SSE stream per job, downloads straight from the
 * server's export endpoints (which work while a job runs).
 */
import type { Job, RowResult } from "@core/batch/model";
import { createHttpClient, type HttpClient } from "./http-client";
import { JobEventStream, type StreamListener } from "./job-event-stream";
import { jobAndRowsReply, jobReply, jobsReply, resultsPageReply, type ResultsPage } from "./server-replies";
import { submitCreate, type SubmitOptions } from "./submit-create";
import { rowsCsvBlob, shouldUpload } from "./upload-rows";
import {
  type BackendConfig,
  type BackendError,
  type BatchBackend,
  type BatchEstimate,
  type CreateBatchInput,
  type EstimateBatchInput,
  type ExportFile,
  type ExportFormat,
  type FlowExample,
  type GovernorSettings,
  type LimitsUpdate,
  type WebhookSecretInfo,
  type PreviewRun,
  type ResultsChange,
  type RowsPage,
  type Unsubscribe,
  exportFilename,
  toBackendError,
  type ExportChoice,
  type RerunRequest,
} from "./types";
import { exportQueryString } from "@core/batch/export-query";

const PAGE_SIZE = 500;

const jobPath = (jobId: string): string => `/api/batches/${encodeURIComponent(jobId)}`;

export class LocalBackend implements BatchBackend {
  readonly kind = "local" as const;
  private readonly http: HttpClient;
  private readonly streams = new Map<string, JobEventStream>();

  /** `reconnectBaseMs`: first backoff before reopening a stream the browser gave up on; `submit`: create retries. */
  constructor(
    baseUrl = "",
    private readonly opts: { reconnectBaseMs?: number; submit?: SubmitOptions } = {},
  ) {
    this.http = createHttpClient(baseUrl);
  }

  async config(): Promise<BackendConfig> {
    const body = await this.http.get<Omit<BackendConfig, "backend">>("/api/config");
    return { backend: "local", provider: body.provider, limits: body.limits };
  }

  async examples(): Promise<FlowExample[]> {
    return (await this.http.get<{ examples: FlowExample[] }>("/api/examples")).examples;
  }

  async preview(flow: unknown, row: Record<string, string>): Promise<PreviewRun> {
    return (await this.http.send<{ run: PreviewRun }>("POST", "/api/preview", { flow, row })).run;
  }

  async estimate(input: EstimateBatchInput): Promise<BatchEstimate> {
    return (await this.http.send<{ estimate: BatchEstimate }>("POST", "/api/batches/estimate", input)).estimate;
  }

  async create(input: CreateBatchInput): Promise<Job> {
    return submitCreate(
      input,
      async (req) => {
        const common = {
          name: req.name,
          flow: req.flow,
          concurrency: req.concurrency,
          mode: req.mode,
          callLimits: req.callLimits,
          start: req.start,
          budgetUsd: req.budgetUsd,
          webhookUrl: req.webhookUrl,
          requestId: req.requestId,
        };
        // A large batch streams as a file (POST /api/uploads), then the create names the upload.
        const rows = shouldUpload(req.rows)
          ? {
              upload: (await this.http.sendFile<{ upload: { id: string } }>("/api/uploads", rowsCsvBlob(req.columns, req.rows), req.onUploadProgress)).upload
                .id,
            }
          : { columns: req.columns, rows: req.rows };
        req.onUploadProgress?.(1);
        return this.sendForJob("POST", "/api/batches", { ...common, ...rows });
      },
      this.opts.submit,
    );
  }

  async start(jobId: string): Promise<Job> {
    const job = await this.sendForJob("POST", `${jobPath(jobId)}/run`);
    this.streams.get(jobId)?.revive();
    return job;
  }

  async cancel(jobId: string): Promise<Job> {
    return this.sendForJob("POST", `${jobPath(jobId)}/cancel`);
  }

  async pause(jobId: string): Promise<Job> {
    return this.sendForJob("POST", `${jobPath(jobId)}/pause`);
  }

  async resume(jobId: string, opts: { budgetUsd?: number } = {}): Promise<Job> {
    const job = await this.sendForJob("POST", `${jobPath(jobId)}/resume`, opts);
    // A resumed cancelled batch runs again: its event stream had ended at the cancel.
    this.streams.get(jobId)?.revive();
    return job;
  }

  async setConcurrency(jobId: string, concurrency: number): Promise<Job> {
    return this.sendForJob("PATCH", jobPath(jobId), { concurrency });
  }

  async delete(jobId: string): Promise<void> {
    await this.http.send<{ id: string; deleted: boolean }>("DELETE", jobPath(jobId));
    this.streams.get(jobId)?.close();
  }

  async getWebhookSecret(): Promise<WebhookSecretInfo> {
    return (await this.http.get<{ webhookSecret: WebhookSecretInfo }>("/api/settings/webhook-secret")).webhookSecret;
  }

  async rotateWebhookSecret(): Promise<{ secret: string; createdAt: number }> {
    return (await this.http.send<{ webhookSecret: { secret: string; createdAt: number } }>("POST", "/api/settings/webhook-secret")).webhookSecret;
  }

  async rerunRows(jobId: string, request: RerunRequest): Promise<{ job: Job; rows: number }> {
    const path = `${jobPath(jobId)}/rerun`;
    const out = jobAndRowsReply(`POST ${path}`, await this.http.send<unknown>("POST", path, request));
    this.streams.get(jobId)?.revive();
    return out;
  }

  async retryFailed(jobId: string): Promise<{ job: Job; rows: number }> {
    const path = `${jobPath(jobId)}/retry-failed`;
    const out = jobAndRowsReply(`POST ${path}`, await this.http.send<unknown>("POST", path));
    this.streams.get(jobId)?.revive();
    return out;
  }

  async get(jobId: string): Promise<Job> {
    return jobReply(`GET ${jobPath(jobId)}`, await this.http.get<unknown>(jobPath(jobId)));
  }

  async rows(jobId: string, opts: { cursor?: number; limit?: number }): Promise<RowsPage> {
    const q = new URLSearchParams({ cursor: String(opts.cursor ?? 0), limit: String(opts.limit ?? 100) });
    return this.http.get<RowsPage>(`${jobPath(jobId)}/rows?${q.toString()}`);
  }

  async list(): Promise<Job[]> {
    return jobsReply("GET /api/batches", await this.http.get<unknown>("/api/batches"));
  }

  watchJob(jobId: string, onJob: (job: Job) => void, onError?: (err: BackendError) => void): Unsubscribe {
    return this.listen(jobId, { onJob, onError });
  }

  /**
   * First load: starts once the event stream is open, because the server subscribes the stream
   * when it opens: a result written after that arrives live, one written before is in the pages.
   * Loading first could miss the results written in between (all of them, when rows fail fast)
   * and the table would disagree with the job. Pages are passed on as they arrive (merging makes
   * order irrelevant). If the stream cannot open, the pages load anyway. After a reconnect the
   * reload replaces everything (rows deleted by a retry meanwhile disappear), with results that
   * arrived live during the reload applied on top.
   */
  watchResults(jobId: string, onChange: (change: ResultsChange) => void, onError?: (err: BackendError) => void): Unsubscribe {
    let active = true;
    let loaded = false;
    let live: RowResult[] | null = null;
    const fail = (err: unknown): void => {
      if (active) onError?.(toBackendError(err));
    };
    const firstLoad = (): void => {
      if (loaded || !active) return;
      loaded = true;
      this.loadAllResults(jobId, (results) => {
        if (active) onChange({ upserts: results });
      }).catch(fail);
    };
    const reloadAll = (): void => {
      if (!loaded) return; // the first load is still to come (at open)
      live = [];
      const pages: RowResult[] = [];
      this.loadAllResults(jobId, (results) => pages.push(...results))
        .then(() => {
          if (active) onChange({ upserts: [...pages, ...(live ?? [])], reset: true });
          live = null;
        })
        .catch(fail);
    };
    const stop = this.listen(jobId, {
      onOpen: firstLoad,
      onResult: (result) => {
        live?.push(result);
        onChange({ upserts: [result] });
      },
      onReconnect: reloadAll,
      onError: (err) => {
        firstLoad();
        onError?.(err);
      },
    });
    if (this.streams.get(jobId)?.ready) firstLoad();
    return () => {
      active = false;
      stop();
    };
  }

  async exportFile(job: Job, format: ExportFormat, choice: ExportChoice = {}): Promise<ExportFile> {
    const query = exportQueryString(format === "jsonl" ? { ...choice, bom: false } : choice);
    return { url: this.http.url(`${jobPath(job.id)}/export.${format}${query}`), filename: exportFilename(job, format) };
  }

  async mediaUrl(ref: string): Promise<string> {
    return this.http.url(`/api/media/${ref.split("/").map(encodeURIComponent).join("/")}`);
  }

  async getLimits(): Promise<GovernorSettings> {
    return this.http.get<GovernorSettings>("/api/settings/limits");
  }

  async setLimits(table: LimitsUpdate): Promise<GovernorSettings> {
    return this.http.send<GovernorSettings>("PUT", "/api/settings/limits", table);
  }

  /** Pages through every stored result, in row order. */
  private async loadAllResults(jobId: string, onPage: (results: RowResult[]) => void): Promise<void> {
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const path = `${jobPath(jobId)}/results${query}`;
      const page: ResultsPage = resultsPageReply(`GET ${path}`, await this.http.get<unknown>(path));
      onPage(page.results);
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** A call the server answers with `{job}`, the job parsed. */
  private async sendForJob(method: "POST" | "PATCH", path: string, body?: unknown): Promise<Job> {
    return jobReply(`${method} ${path}`, await this.http.send<unknown>(method, path, body));
  }

  private listen(jobId: string, listener: StreamListener): Unsubscribe {
    let stream = this.streams.get(jobId);
    if (!stream) {
      stream = new JobEventStream(this.http.url(`${jobPath(jobId)}/events`), this.opts.reconnectBaseMs);
      this.streams.set(jobId, stream);
    }
    const s = stream;
    s.add(listener);
    return () => {
      s.remove(listener);
      if (s.size === 0 && this.streams.get(jobId) === s) this.streams.delete(jobId);
    };
  }
}

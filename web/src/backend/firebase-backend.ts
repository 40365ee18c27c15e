/**
 * BatchBackend over Firebase: writes go through the callables (names fixed in the interfaces
 * brief), reads are Firestore `onSnapshot` listeners on `batch_jobs/{id}` and its `results`
 * ordered by `rowIndex`, media is read through the Storage SDK's rule-checked `getBlob` (never a
 * download URL, which anyone holding it could open), and downloads are built in
 * the browser from the results (the same columns as the local host's export).
 */
import { httpsCallable } from "firebase/functions";
import { collection, doc, getDoc, getDocs, limit, onSnapshot, orderBy, query, where, type DocumentData, type QueryDocumentSnapshot } from "firebase/firestore";
import { deleteObject, getBlob, getBytes, ref as storageRef, uploadBytesResumable } from "firebase/storage";
import { FIREBASE_LIMITS } from "@core/batch/limits";
import type { Job, RowResult } from "@core/batch/model";
import type { RowDoc } from "../lib/row-docs";
import { firebaseExportText, firebaseExportZip, mediaRefsOf, signedMediaLink } from "./firebase-export";
import type { MediaLink } from "@core/batch/export-records";
import type { AppEnv } from "./env";
import { initFirebase, type FirebaseServices } from "./firebase-app";
import { CALLABLE_TIMEOUT_MS, type CallableName } from "./callable-timeouts";
import { fromFirebaseError } from "./firebase-errors";
import { bundledExamples } from "./bundled-examples";
import { jobFromDoc, resultFromDoc } from "./job-doc";
import { jobAndRowsReply, jobReply } from "./server-replies";
import { createOnFirebase, resumablePut } from "./firebase-upload";
import {
  type BackendConfig,
  BackendError,
  type BatchBackend,
  type BatchEstimate,
  type CreateBatchInput,
  type EstimateBatchInput,
  type ExportFile,
  type ExportChoice,
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
  type RerunRequest,
} from "./types";

const JOBS = "batch_jobs";
const LIST_LIMIT = 100;

const toJob = (snap: { id: string; data(): DocumentData | undefined }): Job => jobFromDoc(snap.id, snap.data());
const toResult = (snap: QueryDocumentSnapshot): RowResult => resultFromDoc(snap.ref.path, snap.data());

export class FirebaseBackend implements BatchBackend {
  readonly kind = "firebase" as const;
  private readonly fb: FirebaseServices;

  constructor(env: AppEnv) {
    this.fb = initFirebase(env);
  }

  private async call<Req, Res>(name: CallableName, data: Req): Promise<Res> {
    await this.fb.user();
    try {
      return (await httpsCallable<Req, Res>(this.fb.functions, name, { timeout: CALLABLE_TIMEOUT_MS[name] })(data)).data;
    } catch (err) {
      throw fromFirebaseError(err);
    }
  }

  /** A callable that answers `{job}`, the job parsed (server-replies.ts). */
  private async callForJob(name: CallableName, data: unknown): Promise<Job> {
    return jobReply(`the ${name} callable`, await this.call<unknown, unknown>(name, data));
  }

  /** A callable that answers `{job, rows}` (a retry or re-run), parsed. */
  private async callForJobAndRows(name: CallableName, data: unknown): Promise<{ job: Job; rows: number }> {
    return jobAndRowsReply(`the ${name} callable`, await this.call<unknown, unknown>(name, data));
  }

  async config(): Promise<BackendConfig> {
    await this.fb.user().catch((err: unknown) => {
      throw fromFirebaseError(err);
    });
    return { backend: "firebase", provider: "server-side AI", limits: FIREBASE_LIMITS };
  }

  async examples(): Promise<FlowExample[]> {
    return bundledExamples();
  }

  async preview(flow: unknown, row: Record<string, string>): Promise<PreviewRun> {
    return (await this.call<unknown, { run: PreviewRun }>("previewFlow", { flow, row })).run;
  }

  async estimate(input: EstimateBatchInput): Promise<BatchEstimate> {
    return (await this.call<EstimateBatchInput, { estimate: BatchEstimate }>("estimateBatch", input)).estimate;
  }

  async create(input: CreateBatchInput): Promise<Job> {
    const put = resumablePut((path, file) => uploadBytesResumable(storageRef(this.fb.storage, path), file, { contentType: "text/csv" }));
    const uid = async (): Promise<string> => (await this.fb.user()).uid;
    const remove = (path: string): Promise<void> => deleteObject(storageRef(this.fb.storage, path));
    return createOnFirebase(input, { uid, put, remove, send: async (data) => this.callForJob("createBatch", data) });
  }

  async start(jobId: string): Promise<Job> {
    return this.callForJob("startBatch", { jobId });
  }

  async cancel(jobId: string): Promise<Job> {
    return this.callForJob("cancelBatch", { jobId });
  }

  async pause(jobId: string): Promise<Job> {
    return this.callForJob("pauseBatch", { jobId });
  }

  async resume(jobId: string, opts: { budgetUsd?: number } = {}): Promise<Job> {
    return this.callForJob("resumeBatch", { jobId, ...opts });
  }

  async setConcurrency(jobId: string, concurrency: number): Promise<Job> {
    return this.callForJob("setBatchConcurrency", { jobId, concurrency });
  }

  async delete(jobId: string): Promise<void> {
    await this.call<unknown, { id: string; deleted: boolean }>("deleteBatch", { jobId });
  }

  async getWebhookSecret(): Promise<WebhookSecretInfo> {
    return (await this.call<unknown, { webhookSecret: WebhookSecretInfo }>("getWebhookSecret", {})).webhookSecret;
  }

  async rotateWebhookSecret(): Promise<{ secret: string; createdAt: number }> {
    return (await this.call<unknown, { webhookSecret: { secret: string; createdAt: number } }>("rotateWebhookSecret", {})).webhookSecret;
  }

  async rerunRows(jobId: string, request: RerunRequest): Promise<{ job: Job; rows: number }> {
    return this.callForJobAndRows("rerunRows", { jobId, ...request });
  }

  async retryFailed(jobId: string): Promise<{ job: Job; rows: number }> {
    return this.callForJobAndRows("retryFailedRows", { jobId });
  }

  async get(jobId: string): Promise<Job> {
    await this.fb.user();
    try {
      const snap = await getDoc(doc(this.fb.db, JOBS, jobId));
      if (!snap.exists()) throw new BackendError({ code: "not_found", message: `Batch ${jobId} was not found.`, retryable: false });
      return toJob(snap);
    } catch (err) {
      throw fromFirebaseError(err);
    }
  }

  async list(): Promise<Job[]> {
    const user = await this.fb.user();
    try {
      const q = query(collection(this.fb.db, JOBS), where("ownerId", "==", user.uid), orderBy("createdAt", "desc"), limit(LIST_LIMIT));
      return (await getDocs(q)).docs.map(toJob);
    } catch (err) {
      throw fromFirebaseError(err);
    }
  }

  /** Subscribes once the user is known; unsubscribing before that cancels the subscription. */
  private subscribe(start: () => Unsubscribe, onError?: (err: BackendError) => void): Unsubscribe {
    let stop: Unsubscribe | null = null;
    let cancelled = false;
    this.fb
      .user()
      .then(() => {
        if (!cancelled) stop = start();
      })
      .catch((err: unknown) => onError?.(fromFirebaseError(err)));
    return () => {
      cancelled = true;
      stop?.();
    };
  }

  watchJob(jobId: string, onJob: (job: Job) => void, onError?: (err: BackendError) => void): Unsubscribe {
    return this.subscribe(
      () =>
        onSnapshot(
          doc(this.fb.db, JOBS, jobId),
          (snap) => {
            // A malformed document reaches the error callback, not the component tree.
            try {
              if (snap.exists()) onJob(toJob(snap));
            } catch (err) {
              onError?.(toBackendError(err));
            }
          },
          (err) => onError?.(fromFirebaseError(err)),
        ),
      onError,
    );
  }

  watchResults(jobId: string, onChange: (change: ResultsChange) => void, onError?: (err: BackendError) => void): Unsubscribe {
    const q = query(collection(this.fb.db, JOBS, jobId, "results"), orderBy("rowIndex"));
    return this.subscribe(
      () =>
        onSnapshot(
          q,
          (snap) => {
            const upserts: RowResult[] = [];
            const removals: number[] = [];
            try {
              for (const change of snap.docChanges()) {
                if (change.type === "removed") removals.push(toResult(change.doc).rowIndex);
                else upserts.push(toResult(change.doc));
              }
            } catch (err) {
              onError?.(toBackendError(err));
              return;
            }
            onChange({ upserts, removals });
          },
          (err) => onError?.(fromFirebaseError(err)),
        ),
      onError,
    );
  }

  /** Through the listBatchRows callable: a range read of the row chunks, checked for the owner. */
  async rows(jobId: string, opts: { cursor?: number; limit?: number }): Promise<RowsPage> {
    return this.call<{ jobId: string; cursor: string; limit: number }, RowsPage>("listBatchRows", {
      jobId,
      cursor: String(opts.cursor ?? 0),
      limit: opts.limit ?? 100,
    });
  }

  async exportFile(job: Job, format: ExportFormat, choice: ExportChoice = {}): Promise<ExportFile> {
    await this.fb.user();
    try {
      const resultsSnap = await getDocs(query(collection(this.fb.db, JOBS, job.id, "results"), orderBy("rowIndex")));
      const rowDocs = await this.readRowDocs(job.id);
      const resultDocs = resultsSnap.docs.map((d) => d.data());
      const blob =
        format === "zip"
          ? await firebaseExportZip({
              job,
              resultDocs,
              rowDocs,
              csvName: exportFilename(job, "csv"),
              options: choice,
              readMedia: async (ref) => new Uint8Array(await getBytes(storageRef(this.fb.storage, ref))),
            })
          : new Blob(
              [
                firebaseExportText(job, resultDocs, rowDocs, format, {
                  ...(format === "jsonl" ? { ...choice, bom: false } : choice),
                  ...(await this.linkFor(job.id, resultDocs, choice)),
                }),
              ],
              {
                type: format === "csv" ? "text/csv;charset=utf-8" : "application/x-ndjson",
              },
            );
      const url = URL.createObjectURL(blob);
      return { url, filename: exportFilename(job, format), release: () => URL.revokeObjectURL(url) };
    } catch (err) {
      throw fromFirebaseError(err);
    }
  }

  /** With `signedLinks`, media cells become signed URLs from the signMediaLinks callable. */
  private async linkFor(jobId: string, resultDocs: readonly unknown[], choice: ExportChoice): Promise<{ mediaLink?: MediaLink }> {
    const refs = choice.signedLinks ? mediaRefsOf(resultDocs) : [];
    if (refs.length === 0) return {};
    const sign = async (part: string[]) =>
      (await this.call<{ jobId: string; refs: string[] }, { urls: string[] }>("signMediaLinks", { jobId, refs: part })).urls;
    return { mediaLink: await signedMediaLink(refs, sign) };
  }

  /** Input row chunks, when the rules let the owner read them; otherwise the export has outputs only. */
  private async readRowDocs(jobId: string): Promise<RowDoc[] | null> {
    try {
      const snap = await getDocs(collection(this.fb.db, JOBS, jobId, "rows"));
      return snap.docs.map((d) => ({ id: d.id, data: d.data() }));
    } catch {
      return null;
    }
  }

  /**
   * Each read is checked by storage.rules with the signed-in user's token (owner of the job only).
   * The bytes become an object URL local to this page; ui/media.tsx keeps one per ref.
   */
  async mediaUrl(ref: string): Promise<string> {
    try {
      return URL.createObjectURL(await getBlob(storageRef(this.fb.storage, ref)));
    } catch (err) {
      throw fromFirebaseError(err);
    }
  }

  /**
   * The deployment's AI-call limits (`settings/governor` over the defaults), the same view as the
   * local host's. Admins only (custom claim `admin: true`); others get a permission error.
   */
  async getLimits(): Promise<GovernorSettings> {
    return this.call<Record<string, never>, GovernorSettings>("getGovernorSettings", {});
  }

  /** Each named model gets that override (`null` resets it); every instance applies it within 5 s. */
  async setLimits(table: LimitsUpdate): Promise<GovernorSettings> {
    return this.call<{ limits: LimitsUpdate }, GovernorSettings>("setGovernorSettings", { limits: table });
  }
}

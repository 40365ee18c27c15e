/**
 * Durable, idempotent life of provider batch jobs (records in provider-job-record.ts). Each step
 * is safe to run again after a crash or a duplicate delivery:
 * - `submitProviderJob`: record the intent, then find an orphan by display name, else create;
 *   store the provider's job name. A crash anywhere in between leaves an intent whose next run
 *   adopts the job the provider already has: the same provider job is never created twice
 *   (runs of one group are serialised by one task per group with a deterministic id).
 * - `pollProviderJob`: one `get`, never a wait. It answers what to do next: wait (and for how
 *   long: the host re-enqueues a delayed task), apply results, fall back to realtime, or fail.
 *   It does not settle the record: the caller applies the decision, then calls `settleProviderJob`,
 *   so a crash in between only repeats the (idempotent) decision.
 * - `cancelProviderJobs`: the batch's cancel: `batches.cancel` for every unsettled job.
 */
import { type BatchItem, type BatchItemOutcome, isProviderJobTerminal, type ProviderBatchJobs, type ProviderJobState } from "../ai/batch-port";
import { type ErrorInfo, PermanentError, RetryableError } from "../errors";
import type { Clock } from "../ports/clock";
import { AlreadyExistsError, type DocumentStore } from "../ports/store";
import type { ProviderJobGroup } from "./layer-plan";
import { DEFAULT_PROVIDER_JOB_DEADLINE_MS, ProviderJobRecord, providerJobPath, providerJobsCollection } from "./provider-job-record";

export interface ProviderJobDeps {
  store: DocumentStore;
  jobs: ProviderBatchJobs;
  clock: Clock;
  /**
   * Submit leases taken before this time (epoch ms) are stale. A host that is the only process on
   * its store (the local host: one process per data directory) passes its start time: a lease
   * taken before it was held by a process that is gone, so a restart adopts its orphan at once
   * instead of waiting `SUBMIT_LEASE_MS`. Absent (Firebase: many instances): leases run out.
   */
  staleLeasesBefore?: number;
}

/** Another delivery holds the intent's submit lease (it is creating the provider job now). */
export class SubmitLeaseHeldError extends RetryableError {
  constructor(displayName: string) {
    super("unavailable", `Provider job ${displayName} is being submitted by another delivery`, SUBMIT_LEASE_MS);
    this.name = "SubmitLeaseHeldError";
  }
}

export interface SubmitInput {
  jobId: string;
  pass: number;
  group: ProviderJobGroup;
  /** How long the provider may take before the items fall back (default 24 h). */
  deadlineMs?: number;
}

/** How long one submitter holds an intent before another delivery may take it over (a crash). */
export const SUBMIT_LEASE_MS = 120_000;

export async function submitProviderJob(deps: ProviderJobDeps, input: SubmitInput): Promise<ProviderJobRecord> {
  const path = providerJobPath(input.jobId, input.group.displayName);
  const record = await recordProviderJobIntent(deps, input);
  if (record.status !== "intent") return record;
  let lease = await takeSubmitLease(deps, path);
  if (lease === null) throw new SubmitLeaseHeldError(input.group.displayName);
  const { group } = input;
  let job: Awaited<ReturnType<ProviderBatchJobs["create"]>>;
  try {
    const orphan = (await deps.jobs.findByDisplayName(group.displayName))[0];
    const beforeCreate = async () => {
      lease = await renewSubmitLease(deps, path, lease ?? 0, group.displayName);
    };
    job = orphan ?? (await deps.jobs.create({ model: group.model, displayName: group.displayName, items: group.items, beforeCreate }));
  } catch (err) {
    // Cancelled meanwhile (`beforeCreate` stopped the create): nothing is left to submit.
    const current = await deps.store.get(path).catch(() => null);
    if (current && ProviderJobRecord.parse(current.data).status === "settled") return ProviderJobRecord.parse(current.data);
    // A failed call (not a crash) hands the intent back at once; the next run looks again.
    await releaseSubmitLease(deps, path, lease).catch(() => undefined);
    throw err;
  }
  const now = deps.clock.now();
  // Derived from the group, so an adopted orphan's file is known as well as a new one's.
  const inputFile = deps.jobs.inputFileFor?.(group.displayName, group.items);
  const stored = await deps.store.runTransaction(async (tx) => {
    const current = ProviderJobRecord.parse((await tx.get(path))?.data);
    if (current.status !== "intent") return current;
    const next: ProviderJobRecord = {
      ...current,
      status: "submitted",
      providerJobName: job.name,
      state: job.state,
      submittedAt: now,
      ...(inputFile ? { inputFile } : {}),
    };
    tx.set(path, next);
    return next;
  });
  // Cancelled while the provider call was in flight: the job just created must not run on.
  if (stored.status === "settled" && stored.providerJobName === null) {
    await deps.jobs.cancel(job.name);
    if (inputFile) await deleteInputFile(deps.jobs, inputFile);
  }
  return stored;
}

/** Best effort: a file left behind costs storage until the provider expires it, never a result. */
async function deleteInputFile(jobs: ProviderBatchJobs | undefined, fileName: string | undefined): Promise<void> {
  if (!fileName || !jobs?.deleteInputFile) return;
  await jobs.deleteInputFile(fileName).catch(() => undefined);
}

/**
 * One submitter at a time per intent: a duplicate delivery (the queue delivers at least once) that
 * finds a live lease stops, so two runs cannot both miss the orphan lookup and create twice. A
 * crashed holder's lease runs out (or, on a host alone on its store, is stale from the restart:
 * `staleLeasesBefore`) and the next delivery adopts what it left.
 */
async function takeSubmitLease(deps: ProviderJobDeps, path: string): Promise<number | null> {
  const now = deps.clock.now();
  return deps.store.runTransaction(async (tx) => {
    const current = ProviderJobRecord.parse((await tx.get(path))?.data);
    if (current.status !== "intent") return 0;
    const until = current.submitLeaseUntil ?? 0;
    const takenAt = until - SUBMIT_LEASE_MS;
    if (until > now && !(deps.staleLeasesBefore !== undefined && takenAt < deps.staleLeasesBefore)) return null;
    tx.update(path, { submitLeaseUntil: now + SUBMIT_LEASE_MS });
    return now + SUBMIT_LEASE_MS;
  });
}

/**
 * Right before the provider's create, after a slow preparation (an upload that may outlast the
 * lease): renews the lease if it is still this submitter's (its expiry is the token), so no other
 * delivery can have passed the orphan lookup in between; else stops this create.
 */
async function renewSubmitLease(deps: ProviderJobDeps, path: string, lease: number, displayName: string): Promise<number> {
  const now = deps.clock.now();
  return deps.store.runTransaction(async (tx) => {
    const current = ProviderJobRecord.parse((await tx.get(path))?.data);
    if (current.status === "settled") throw new PermanentError("cancelled", `Provider job ${displayName} was cancelled before it was created`);
    if (current.status !== "intent" || (current.submitLeaseUntil ?? 0) !== lease) {
      throw new RetryableError("unavailable", `Provider job ${displayName} was taken over by another delivery`, SUBMIT_LEASE_MS);
    }
    tx.update(path, { submitLeaseUntil: now + SUBMIT_LEASE_MS });
    return now + SUBMIT_LEASE_MS;
  });
}

/** Hands the intent back, unless another delivery holds it by now. */
async function releaseSubmitLease(deps: ProviderJobDeps, path: string, lease: number): Promise<void> {
  await deps.store.runTransaction(async (tx) => {
    const current = ProviderJobRecord.parse((await tx.get(path))?.data);
    if (current.status === "intent" && (current.submitLeaseUntil ?? 0) === lease) tx.update(path, { submitLeaseUntil: 0 });
  });
}

/**
 * Records the group's intent (status `intent`) unless a record exists; returns the record as
 * stored. A layer records every group's intent before it submits any, so "every record of the
 * layer is settled" means the layer is done.
 */
export async function recordProviderJobIntent(deps: Pick<ProviderJobDeps, "store" | "clock">, input: SubmitInput): Promise<ProviderJobRecord> {
  const path = providerJobPath(input.jobId, input.group.displayName);
  const now = deps.clock.now();
  const { group } = input;
  const intent: ProviderJobRecord = {
    displayName: group.displayName,
    jobId: input.jobId,
    pass: input.pass,
    layer: group.layer,
    chunk: group.chunk,
    model: group.model,
    itemKeys: group.items.map((i) => i.key),
    requestCount: group.items.length,
    status: "intent",
    state: null,
    providerJobName: null,
    createdAt: now,
    submittedAt: null,
    deadlineAt: now + (input.deadlineMs ?? DEFAULT_PROVIDER_JOB_DEADLINE_MS),
    lastPolledAt: null,
    polls: 0,
    cancelledBy: null,
    outcome: null,
    error: null,
  };
  try {
    await deps.store.create(path, intent);
    return intent;
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    return ProviderJobRecord.parse((await deps.store.get(path))?.data);
  }
}

export type PollDecision =
  | { kind: "wait"; afterMs: number; state: ProviderJobState }
  | { kind: "results"; outcomes: BatchItemOutcome[] }
  | { kind: "fallback"; itemKeys: string[]; reason: FallbackReason }
  | { kind: "failed"; itemKeys: string[]; error: ErrorInfo }
  /** Settled already, or never submitted (the submit task runs again). */
  | { kind: "nothing" };

export type FallbackReason = "failed" | "expired" | "deadline" | "cancelled";

export interface PollInput {
  jobId: string;
  displayName: string;
  /**
   * The items the job was created with (re-rendered by the caller; prompts are not stored), or a
   * function that renders them: it is called only when the job succeeded, so a poll that waits
   * renders nothing (a file-backed job can hold hundreds of MB of prompts).
   */
  items: readonly BatchItem[] | (() => Promise<readonly BatchItem[]>);
  /** Run unfinished items realtime (default) or fail them with a clear error. */
  fallback?: boolean;
  /** First wait between polls; doubles per poll up to `maxPollIntervalMs`. Defaults 30 s, 10 min. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
}

export async function pollProviderJob(deps: ProviderJobDeps, input: PollInput): Promise<PollDecision> {
  const path = providerJobPath(input.jobId, input.displayName);
  const record = ProviderJobRecord.parse((await deps.store.get(path))?.data);
  if (record.status !== "submitted" || record.providerJobName === null) return { kind: "nothing" };
  const job = await deps.jobs.get(record.providerJobName);
  const now = deps.clock.now();
  let cancelledBy = record.cancelledBy;
  if (!isProviderJobTerminal(job.state) && now >= record.deadlineAt) {
    await deps.jobs.cancel(record.providerJobName);
    cancelledBy = "deadline";
  }
  await deps.store.update(path, { state: job.state, lastPolledAt: now, polls: record.polls + 1, cancelledBy });
  if (job.state === "succeeded") {
    const items = typeof input.items === "function" ? await input.items() : input.items;
    return { kind: "results", outcomes: await deps.jobs.results(record.providerJobName, items) };
  }
  const reason = endReason(job.state, cancelledBy);
  if (reason === undefined) return { kind: "wait", afterMs: nextPollDelayMs(record.polls, input), state: job.state };
  if (input.fallback ?? true) return { kind: "fallback", itemKeys: record.itemKeys, reason };
  return { kind: "failed", itemKeys: record.itemKeys, error: fallbackOffError(reason).toInfo() };
}

/** Why a job's items need another way, or undefined while the job may still answer. */
function endReason(state: ProviderJobState, cancelledBy: ProviderJobRecord["cancelledBy"]): FallbackReason | undefined {
  if (cancelledBy === "deadline") return "deadline";
  switch (state) {
    case "pending":
    case "running":
    case "succeeded":
      return undefined;
    case "failed":
      return "failed";
    case "expired":
      return "expired";
    case "cancelled":
      return "cancelled";
  }
}

function fallbackOffError(reason: FallbackReason): PermanentError {
  switch (reason) {
    case "deadline":
      return new PermanentError("timeout", "The provider batch job did not finish before its deadline, and realtime fallback is off");
    case "expired":
      return new PermanentError("timeout", "The provider expired the batch job before it finished, and realtime fallback is off");
    case "failed":
      return new PermanentError("unavailable", "The provider batch job failed, and realtime fallback is off");
    case "cancelled":
      return new PermanentError("cancelled", "The provider batch job was cancelled outside this batch, and realtime fallback is off");
  }
}

export function nextPollDelayMs(polls: number, o: Pick<PollInput, "pollIntervalMs" | "maxPollIntervalMs"> = {}): number {
  const base = o.pollIntervalMs ?? 30_000;
  return Math.min(o.maxPollIntervalMs ?? 600_000, base * 2 ** Math.min(polls, 20));
}

/**
 * Settles the record; then, given `jobs`, deletes the job's input file (best effort, after the
 * settle: a crash in between leaves the file to the provider's expiry, never an unsettled record).
 */
export async function settleProviderJob(
  deps: Pick<ProviderJobDeps, "store"> & { jobs?: ProviderBatchJobs },
  input: { jobId: string; displayName: string; outcome: NonNullable<ProviderJobRecord["outcome"]>; error?: ErrorInfo; fullCostUsd?: number },
): Promise<void> {
  const path = providerJobPath(input.jobId, input.displayName);
  const cost = input.fullCostUsd !== undefined ? { fullCostUsd: input.fullCostUsd } : {};
  const inputFile = deps.jobs?.deleteInputFile ? (await deps.store.get(path))?.data.inputFile : undefined;
  await deps.store.update(path, { status: "settled", outcome: input.outcome, error: input.error ?? null, ...cost });
  await deleteInputFile(deps.jobs, typeof inputFile === "string" ? inputFile : undefined);
}

/** Cancels every unsettled provider job of a batch; returns how many provider jobs were told to stop. */
export async function cancelProviderJobs(deps: ProviderJobDeps, jobId: string): Promise<number> {
  const open = await deps.store.query(providerJobsCollection(jobId), { where: [{ field: "status", op: "in", value: ["intent", "submitted"] }] });
  let cancelled = 0;
  for (const doc of open) if ((await cancelProviderJob(deps, doc.path)) === "cancelled") cancelled += 1;
  return cancelled;
}

/** How long one canceller holds an unsettled record: the provider's cancel call, then the settle. */
export const CANCEL_LEASE_MS = 60_000;

/**
 * The batch's cancel of one provider job, done once: a transaction claims the unsettled record
 * (`cancelLeaseUntil`) before the provider is called, so the cancel handler and a poll that sees
 * the cancel do not both call `batches.cancel`. Answers `cancelled` (the provider was called here),
 * `settled` (nothing left to cancel) or `held` (another canceller holds the record; if its
 * provider call fails it hands the record back, open, for the provider job's next poll).
 */
export async function cancelProviderJob(deps: ProviderJobDeps, path: string): Promise<"cancelled" | "settled" | "held"> {
  const now = deps.clock.now();
  const claimed = await deps.store.runTransaction(async (tx) => {
    const doc = await tx.get(path);
    if (!doc) return "settled" as const;
    const record = ProviderJobRecord.parse(doc.data);
    if (record.status === "settled") return "settled" as const;
    if ((record.cancelLeaseUntil ?? 0) > now) return "held" as const;
    tx.update(path, { cancelLeaseUntil: now + CANCEL_LEASE_MS });
    return record;
  });
  if (typeof claimed === "string") return claimed;
  const open = claimed.providerJobName !== null && !(claimed.state && isProviderJobTerminal(claimed.state));
  if (open && claimed.providerJobName !== null) {
    try {
      await deps.jobs.cancel(claimed.providerJobName);
    } catch (err) {
      // Hand the record back at once: the provider job's next poll tries again.
      await deps.store.update(path, { cancelLeaseUntil: 0 }).catch(() => undefined);
      throw err;
    }
  }
  await deps.store.update(path, { status: "settled", outcome: "cancelled", cancelledBy: "user" });
  await deleteInputFile(deps.jobs, claimed.inputFile);
  return open ? "cancelled" : "settled";
}

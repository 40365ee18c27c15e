/**
 * Fault and latency model of the simulated platform. Latencies are uniform in [min, max] ms
 * unless noted; they are what one round trip costs in the same region (see ARCHITECTURE.md).
 */
export interface FaultRates {
  /** A task delivery is delivered a second time (same attempt, concurrently or soon after). */
  duplicateTask: number;
  /** A result-created trigger is delivered a second time. */
  duplicateTrigger: number;
  /** A process dies right before an enqueue that follows a commit (the enqueue never happens). */
  crashBeforeEnqueue: number;
  /** An AI call answers 429 (retryable, with Retry-After). */
  transient429: number;
  /** An AI call fails permanently (400). */
  permanent: number;
  /** A task is lost by the queue and never delivered (not part of `standard`; reconcile recovers it). */
  dropTask?: number;
}

export const STANDARD_FAULTS: FaultRates = {
  duplicateTask: 0.1,
  duplicateTrigger: 0.1,
  crashBeforeEnqueue: 0.05,
  transient429: 0.15,
  permanent: 0.02,
};

export const NO_FAULTS: FaultRates = { duplicateTask: 0, duplicateTrigger: 0, crashBeforeEnqueue: 0, transient429: 0, permanent: 0 };

export type Range = readonly [number, number];

export interface PlatformLatency {
  /** Enqueue (or its ETA) → the handler starts. */
  taskDispatch: Range;
  /** Extra delay of a duplicate task delivery after the original. */
  duplicateTaskDelay: Range;
  /** Commit of a created doc → the trigger handler starts. */
  triggerDelivery: Range;
  /** A failed trigger is delivered again after this (retry: true). */
  triggerRetry: Range;
  /** A transaction's reads-to-commit window (its whole round trip). */
  transaction: Range;
  /** A single write or a write batch. */
  write: Range;
  /** A get, getAll or query outside a transaction. */
  read: Range;
  /** The enqueue API call. */
  enqueue: Range;
  /** How long a 429 takes to come back. */
  aiRejection: Range;
}

export const DEFAULT_LATENCY: PlatformLatency = {
  taskDispatch: [20, 80],
  duplicateTaskDelay: [0, 300],
  triggerDelivery: [100, 600],
  triggerRetry: [1_000, 5_000],
  transaction: [10, 40],
  write: [5, 15],
  read: [3, 10],
  enqueue: [5, 15],
  aiRejection: [50, 150],
};

/** Thrown by the simulated platform to model a process crash at that point. */
export class SimCrash extends Error {
  constructor(where: string) {
    super(`simulated crash: ${where}`);
    this.name = "SimCrash";
  }
}

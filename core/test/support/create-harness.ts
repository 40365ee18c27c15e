/**
 * The batch handlers over a MemoryStore whose commit limits and commit failures a test chooses,
 * for the create path: staged creates (small commit limits), a store failing midway, cleanup.
 */
import { OfflineAiService } from "../../src/ai/offline";
import type { BatchHandlers } from "../../src/batch/api";
import { createBatchHandlers } from "../../src/batch/handlers";
import { DEFAULT_LIMITS, type BatchLimits } from "../../src/batch/limits";
import { ManualClock } from "../../src/testing/manual-clock";
import { MemoryBlobStore } from "../../src/testing/memory-blob-store";
import { MemoryStore, type CommitInfo } from "../../src/testing/memory-store";
import { silentLogger } from "../../src/logger";
import type { CommitLimits } from "../../src/ports/store";
import { RecordingQueue } from "./batch-harness";

export interface CreateHarness {
  clock: ManualClock;
  store: MemoryStore;
  queue: RecordingQueue;
  handlers: BatchHandlers;
  /** Return true to fail that commit (as a store outage would), before it applies anything. */
  failCommit: (info: CommitInfo, n: number) => boolean;
  commits: CommitInfo[];
}

export function makeCreateHarness(o: { commitLimits?: CommitLimits; limits?: Partial<BatchLimits> } = {}): CreateHarness {
  const clock = new ManualClock(1_700_000_000_000);
  const commits: CommitInfo[] = [];
  const h = { clock, commits, failCommit: () => false } as unknown as CreateHarness;
  h.store = new MemoryStore({
    clock,
    recordWrites: true,
    ...(o.commitLimits ? { commitLimits: o.commitLimits } : {}),
    hooks: {
      beforeCommit: async (info) => {
        commits.push(info);
        if (h.failCommit(info, commits.length)) throw new Error("store unavailable (injected)");
      },
    },
  });
  h.queue = new RecordingQueue();
  let n = 0;
  h.handlers = createBatchHandlers({
    store: h.store,
    queue: h.queue,
    blobs: new MemoryBlobStore(),
    ai: new OfflineAiService({ latencyMs: 0, clock }),
    clock,
    ids: { newId: () => `job${++n}` },
    logger: silentLogger,
    limits: { ...DEFAULT_LIMITS, ...o.limits },
  });
  return h;
}

/** Rows of about `bytes` bytes each. */
export const wideRows = (n: number, bytes: number): Record<string, string>[] =>
  Array.from({ length: n }, (_, i) => ({ topic: `topic ${i} ${"x".repeat(Math.max(0, bytes - 20))}`, note: "" }));

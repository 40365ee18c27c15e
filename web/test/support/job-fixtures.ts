/**
 * A complete job and row result as the local API sends them (JSON of core's `Job` and `RowResult`),
 * for tests of the code that parses them: a partial object would now be refused.
 */
import type { Job, RowResult } from "../../../core/src/batch/model";

export function jobJson(over: Partial<Job> = {}): Job {
  return {
    id: "job1",
    ownerId: "local",
    name: "n",
    status: "processing",
    cancelRequested: false,
    startRequested: true,
    totalRows: 3,
    completedRows: 0,
    failedRows: 0,
    skippedRows: 0,
    concurrency: 2,
    mode: "realtime",
    createdAt: 1_000,
    startedAt: 1_000,
    finishedAt: null,
    updatedAt: 1_000,
    flowConfig: { nodes: [], edges: [] },
    columns: ["topic"],
    outputColumns: ["line"],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    costUsd: 0,
    budgetUsd: null,
    webhookUrl: null,
    pass: 0,
    error: null,
    pausedReason: null,
    pausedAt: null,
    pauseDetail: null,
    ...over,
  };
}

export function rowResult(rowIndex: number, over: Partial<RowResult> = {}): RowResult {
  return {
    jobId: "job1",
    rowIndex,
    pass: 0,
    status: "succeeded",
    outputs: { line: { kind: "text", text: `line ${rowIndex}` } },
    nodeOutputs: {},
    trace: {},
    usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
    costUsd: 0,
    durationMs: 10,
    attempts: 1,
    startedAt: rowIndex,
    finishedAt: rowIndex,
    error: null,
    ...over,
  };
}

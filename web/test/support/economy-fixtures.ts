/**
 * Fixture economy jobs for the web tests: a two-layer text flow whose first layer's provider jobs
 * succeeded and whose second layer waits (two running, one pending), as the economy driver writes
 * `job.economy` (core/src/economy/economy-progress.ts) into a `batch_jobs/{id}` document.
 */

/** The fixture's clock: epoch ms. */
export const T0 = 1_800_000_000_000;
/** Layer 2 has waited 3 min 30 s at T0. */
export const LAYER2_SINCE = T0 - 210_000;

// topic ──▶ draft (text) ──▶ polish (text) ──▶ out "line"
export const TWO_LAYER_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "draft", type: "text", data: { model: "gemini-2.5-flash", prompt: "Draft a line about {{topic}}." } },
    { id: "polish", type: "text", data: { model: "gemini-2.5-flash", prompt: "Polish: {{draft}}" } },
    { id: "out", type: "output", data: { name: "line" } },
  ],
  edges: [
    { source: "topic", target: "draft" },
    { source: "draft", target: "polish" },
    { source: "polish", target: "out" },
  ],
};

/**
 *   topic ─▶ caption (text) ─▶ draw (image) ─▶ alt (text) ─▶ out
 * `caption` is batched; `draw` and `alt` (below the image) stay realtime.
 */
export const MEDIA_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "caption", type: "text", data: { model: "gemini-2.5-flash", prompt: "Caption {{topic}}" } },
    { id: "draw", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "A picture of {{caption}}" } },
    { id: "alt", type: "text", data: { model: "gemini-2.5-flash", prompt: "Alt text for {{caption}}" } },
    { id: "out", type: "output", data: { name: "alt" } },
  ],
  edges: [
    { source: "topic", target: "caption" },
    { source: "caption", target: "draw" },
    { source: "draw", target: "alt" },
    { source: "alt", target: "out" },
  ],
};

export const ECONOMY = {
  layers: [
    { layer: 0, providerJobs: 2, requests: 120, states: { succeeded: 2 }, waitingSince: null, done: true },
    { layer: 1, providerJobs: 3, requests: 120, states: { running: 2, pending: 1 }, waitingSince: LAYER2_SINCE, done: false },
  ],
  realtimeCostUsd: 0.0184,
  updatedAt: T0,
};

/** A `batch_jobs/{id}` document's data (no id) of a running economy job of 120 rows, 40 done. */
export function economyJobDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ownerId: "user-1",
    name: "overnight",
    status: "processing",
    cancelRequested: false,
    startRequested: true,
    totalRows: 120,
    completedRows: 40,
    failedRows: 0,
    skippedRows: 0,
    concurrency: 5,
    mode: "economy",
    createdAt: T0 - 600_000,
    startedAt: T0 - 590_000,
    finishedAt: null,
    updatedAt: T0,
    flowConfig: TWO_LAYER_FLOW,
    columns: ["topic"],
    outputColumns: ["line"],
    usage: { inputTokens: 4000, outputTokens: 2000, totalTokens: 6000 },
    costUsd: 0.0092,
    budgetUsd: null,
    webhookUrl: null,
    pass: 0,
    error: null,
    pausedReason: null,
    pausedAt: null,
    pauseDetail: null,
    economy: ECONOMY,
    ...over,
  };
}

/**
 * The economy mode's task-driven driver: a pass of an economy job runs its text layers through
 * provider batch jobs from queued tasks, then opens its lanes, whose row tasks answer the text
 * calls from the stored answers (economy-row-ai.ts). Enabled by the host passing `deps.economy`.
 *
 *   startJob ──▶ layer task L0 ──▶ poll tasks (one chain per provider job) ──▶ layer task L1 ──▶ …
 *            ──▶ layer task L(last + 1): open the lanes as startJob does for realtime.
 *
 * - Layer task (`economy`): renders the layer's prompts for the pass's rows from the row inputs
 *   and the answers of earlier layers (`economy_items`), groups them per model, records every
 *   group's intent, enqueues each group's first poll, then submits each group. A group whose
 *   submit failed or crashed is submitted by its poll (the records make both idempotent).
 * - Poll task (`economy-poll`): one provider `get` (the group's prompts are rendered only when it
 *   has to submit or settle, not for a poll that waits). Wait → poll n+1 after the delay. Results →
 *   answers and per-item errors as items; failed / expired / past the deadline → `fallback`
 *   items (the row task runs those nodes, and what depends on them, realtime through the
 *   governor) or, with fallback off, `error` items. Then the record is settled, `job.economy`
 *   is written when something it shows changed, and when every group of the layer is settled the
 *   next layer's task is enqueued (deterministic id: at most one).
 * - A row of a layer whose input or upstream node failed, or whose upstream node fell back, gets
 *   no item: the row task runs it as realtime would (a failure the same way, a fallback realtime).
 * - Image and video nodes, and text nodes below one, are in no layer (`textLayers`): the row tasks
 *   run them realtime through the governor, at the standard price, once the layers are done.
 * - Only the first pass of a job goes through layers; retry and re-run passes run realtime (their
 *   rows resume from checkpoints the layers know nothing about).
 * - Pause does not stop the provider jobs: their polls go on and the layers settle; the lanes
 *   open paused and hand their rows back until resume. Cancel cancels the provider jobs.
 */
import type { BatchItem } from "../ai/batch-port";
import { PermanentError, RetryableError } from "../errors";
import { checkJsonOutput } from "../engine/output-check";
import { inputNodeOutput, renderWith } from "../engine/run-node";
import type { NodeOutput } from "../engine/types";
import { ancestors, buildGraph } from "../flow/graph";
import type { Flow, TextNode } from "../flow/schema";
import { nodeCallCost, roundUsd } from "../governor/run-cost";
import { DEFAULT_PRICES } from "../governor/prices";
import type { BatchContext } from "../batch/context";
import { jobFlow, loadRow, readJob, rowAt } from "../batch/context";
import { ensureLaneTasks } from "../batch/dispatch";
import { splitRanges, takeOwn } from "../batch/lanes";
import { jobPath } from "../batch/model";
import { isPassOpen } from "../batch/statuses";
import { lanePath, type JobState, storedLane } from "../batch/state";
import { EconomyProgress, type LayerSummary } from "./economy-progress";
import { type EconomyItem, readEconomyItems, requestHash, writeEconomyItems } from "./economy-items";
import { groupRequests, parseItemKey, type PendingTextRequest, type ProviderJobGroup, textLayers } from "./layer-plan";
import { layerProgress } from "./layer-progress";
import { ProviderJobRecord, providerJobPath, providerJobsCollection } from "./provider-job-record";
import {
  CANCEL_LEASE_MS,
  cancelProviderJob,
  nextPollDelayMs,
  pollProviderJob,
  recordProviderJobIntent,
  settleProviderJob,
  SubmitLeaseHeldError,
  submitProviderJob,
  type PollDecision,
} from "./provider-jobs";
import { type EconomyLayerTask, type EconomyPollTask, economyLayerTaskId, economyPollTaskId } from "./economy-tasks";

/** The economy job's rows answer their text calls from provider batch jobs on this host. */
export function economyDriven(ctx: BatchContext, job: Pick<JobState, "mode">): boolean {
  return job.mode === "economy" && ctx.deps.economy !== undefined;
}

/** Enqueues the layer's task (idempotent: the id names job, pass and layer). */
export async function enqueueLayerTask(ctx: BatchContext, t: Omit<EconomyLayerTask, "kind">): Promise<void> {
  const payload: EconomyLayerTask = {
    kind: "economy",
    jobId: t.jobId,
    pass: t.pass,
    layer: t.layer,
    ...(t.redrive !== undefined ? { redrive: t.redrive } : {}),
  };
  await ctx.deps.queue.enqueue({ id: economyLayerTaskId(payload), payload });
}

async function enqueuePoll(ctx: BatchContext, t: Omit<EconomyPollTask, "kind">, delayMs: number): Promise<void> {
  const payload: EconomyPollTask = { kind: "economy-poll", ...t };
  await ctx.deps.queue.enqueue({ id: economyPollTaskId(payload), payload, ...(delayMs > 0 ? { delayMs } : {}) });
}

/** The job while its layers may move on: this pass, open, not cancelling, layers not over. */
async function layersJob(ctx: BatchContext, jobId: string, pass: number): Promise<JobState | null> {
  const job = await readJob(ctx.deps.store, jobId);
  if (!job || job.pass !== pass || job.layersPass !== pass || !isPassOpen(job.status) || job.cancelRequested) return null;
  return job;
}

function economyDeps(ctx: BatchContext) {
  const e = ctx.deps.economy;
  if (!e?.batches) throw new RetryableError("unavailable", "This process has no provider batch jobs configured for economy batches");
  const stale = e.staleLeasesBefore !== undefined ? { staleLeasesBefore: e.staleLeasesBefore } : {};
  return { e, pdeps: { store: ctx.deps.store, jobs: e.batches, clock: ctx.deps.clock, ...stale } };
}

export async function runEconomyLayerTask(ctx: BatchContext, task: EconomyLayerTask): Promise<void> {
  const job = await layersJob(ctx, task.jobId, task.pass);
  if (!job) return;
  if (!ctx.deps.economy?.batches) {
    await leaveLayers(ctx, job, task.layer);
    return;
  }
  const { e, pdeps } = economyDeps(ctx);
  const flow = jobFlow(ctx, job);
  const layers = textLayers(flow);
  if (task.layer >= layers.length) {
    await openLanes(ctx, task.jobId, task.pass);
    return;
  }
  const requests = await layerRequests(ctx, job, flow, task.layer, await passRows(ctx, job));
  const groups = groupRequests(requests, { jobId: job.id, pass: task.pass, layer: task.layer, maxBytes: pdeps.jobs.maxJobRequestBytes });
  if (groups.length === 0) {
    await enqueueLayerTask(ctx, { jobId: job.id, pass: task.pass, layer: task.layer + 1 });
    return;
  }
  const submit = (group: ProviderJobGroup) => ({ jobId: job.id, pass: task.pass, group, ...(e.deadlineMs !== undefined ? { deadlineMs: e.deadlineMs } : {}) });
  // Every intent first: "every record of the layer is settled" then means the layer is done.
  for (const group of groups) await recordProviderJobIntent(pdeps, submit(group));
  const delay = e.pollIntervalMs ?? 30_000;
  for (const group of groups) await enqueuePoll(ctx, { jobId: job.id, pass: task.pass, layer: task.layer, displayName: group.displayName, n: 0 }, delay);
  for (const group of groups) {
    try {
      await submitProviderJob(pdeps, submit(group));
    } catch (err) {
      // The group's first poll came first and is submitting it (a short poll interval, a slow create).
      if (!(err instanceof SubmitLeaseHeldError)) throw err;
    }
  }
  await writeProgress(ctx, job);
  ctx.deps.logger.info(
    { jobId: job.id, pass: task.pass, layer: task.layer, providerJobs: groups.length, requests: requests.length },
    "economy layer submitted",
  );
}

export async function runEconomyPollTask(ctx: BatchContext, task: EconomyPollTask): Promise<void> {
  const job = await layersJob(ctx, task.jobId, task.pass);
  if (!job) {
    await cancelIfStopped(ctx, task);
    return;
  }
  if (!ctx.deps.economy?.batches) {
    await leaveLayers(ctx, job, task.layer);
    return;
  }
  const { e, pdeps } = economyDeps(ctx);
  const path = providerJobPath(job.id, task.displayName);
  const doc = await ctx.deps.store.get(path);
  if (!doc) return;
  let record = ProviderJobRecord.parse(doc.data);
  const flow = jobFlow(ctx, job);
  if (record.status !== "settled") {
    // Rendered once, and only when needed: a poll that waits renders nothing.
    const planned = record;
    let rendered: Promise<BatchItem[]> | undefined;
    const items = () => (rendered ??= recordItems(ctx, job, flow, planned));
    // Intent only: the layer task's submit failed or crashed; this poll submits it (same record, lease).
    if (record.status === "intent") {
      const group = { displayName: record.displayName, model: record.model, layer: record.layer, chunk: record.chunk, items: await items() };
      try {
        record = await submitProviderJob(pdeps, { jobId: job.id, pass: task.pass, group, ...(e.deadlineMs !== undefined ? { deadlineMs: e.deadlineMs } : {}) });
      } catch (err) {
        // The layer task (or a duplicate delivery) is creating it right now: poll again on schedule
        // rather than after the lease (a create slower than the first poll interval).
        if (!(err instanceof SubmitLeaseHeldError)) throw err;
        await enqueuePoll(ctx, { ...task, n: task.n + 1 }, nextPollDelayMs(0, e));
        return;
      }
    }
    const poll = {
      jobId: job.id,
      displayName: task.displayName,
      items,
      ...(e.fallback !== undefined ? { fallback: e.fallback } : {}),
      ...(e.pollIntervalMs !== undefined ? { pollIntervalMs: e.pollIntervalMs } : {}),
      ...(e.maxPollIntervalMs !== undefined ? { maxPollIntervalMs: e.maxPollIntervalMs } : {}),
    };
    const decision = await pollProviderJob(pdeps, poll);
    if (decision.kind === "wait") {
      await writeProgress(ctx, job);
      await enqueuePoll(ctx, { jobId: job.id, pass: task.pass, layer: task.layer, displayName: task.displayName, n: task.n + 1 }, decision.afterMs);
      return;
    }
    if (decision.kind !== "nothing") await applyDecision(ctx, job, flow, record, await items(), decision);
  }
  await writeProgress(ctx, job);
  if (await layerSettled(ctx, job.id, task.pass, task.layer)) await enqueueLayerTask(ctx, { jobId: job.id, pass: task.pass, layer: task.layer + 1 });
}

/**
 * A layer or poll task run where there are no provider batch jobs: the host's economy driver was
 * turned off (Firebase: ECONOMY_BATCH_JOBS off, or no API key in the row task function) while the
 * job was in its layers. Waiting would never end (nothing here can submit or poll), so the pass
 * leaves its layers: the lanes open and the rows run, answering from the items of the provider
 * jobs that settled and realtime for the rest, as an economy batch does on a host without the
 * driver. Provider jobs still open are left to the provider (nothing here can cancel them).
 */
async function leaveLayers(ctx: BatchContext, job: JobState, layer: number): Promise<void> {
  ctx.deps.logger.warn({ jobId: job.id, pass: job.pass, layer }, "economy layers left: no provider batch jobs on this host; the rows run realtime");
  await openLanes(ctx, job.id, job.pass);
}

/**
 * The poll of a cancelled (or deleted) job's provider job that the cancel could not stop (its
 * provider call failed, or the host that took the cancel has no provider batch jobs): stopped here.
 */
async function cancelIfStopped(ctx: BatchContext, task: EconomyPollTask): Promise<void> {
  const batches = ctx.deps.economy?.batches;
  if (!batches) return;
  const job = await readJob(ctx.deps.store, task.jobId);
  if (job && !job.cancelRequested) return;
  const outcome = await cancelProviderJob({ store: ctx.deps.store, jobs: batches, clock: ctx.deps.clock }, providerJobPath(task.jobId, task.displayName));
  // Another canceller holds it (the cancel itself, most likely): look again once its lease ran out.
  if (outcome === "held") await enqueuePoll(ctx, { ...task, n: task.n + 1 }, CANCEL_LEASE_MS);
}

/**
 * Reconcile's repair of a pass in its layers whose tasks were lost (a queue that gave up on one):
 * an unsettled provider job not polled for `olderThanMs` plus the longest poll interval gets a new
 * poll chain; when every record is settled (or none exists) and nothing happened for as long, the
 * next layer's task is enqueued again under a new id. Every step it starts is idempotent, so a
 * re-drive of work that was only slow costs a duplicate poll, nothing more. Returns the tasks made.
 */
export async function redriveLayers(ctx: BatchContext, job: JobState, olderThanMs: number): Promise<number> {
  if (job.layersPass !== job.pass || job.cancelRequested) return 0;
  const now = ctx.deps.clock.now();
  const quiet = olderThanMs + (ctx.deps.economy?.maxPollIntervalMs ?? 600_000);
  const stamp = Math.floor(now / 1000);
  const recs = (await providerRecords(ctx, job.id)).filter((r) => r.pass === job.pass);
  const open = recs.filter((r) => r.status !== "settled");
  let made = 0;
  for (const r of open) {
    if (now - (r.lastPolledAt ?? r.submittedAt ?? r.createdAt) <= quiet) continue;
    await enqueuePoll(ctx, { jobId: job.id, pass: job.pass, layer: r.layer, displayName: r.displayName, n: 1e9 + stamp }, 0);
    made += 1;
  }
  if (open.length > 0) return made;
  const last = Math.max(job.passStartedAt ?? job.startedAt ?? 0, ...recs.map((r) => r.lastPolledAt ?? r.createdAt));
  if (now - last <= quiet) return made;
  const layer = recs.length > 0 ? Math.max(...recs.map((r) => r.layer)) + 1 : 0;
  await enqueueLayerTask(ctx, { jobId: job.id, pass: job.pass, layer, redrive: stamp });
  return made + 1;
}

/** Writes the decision's items, then settles the record (a crash in between repeats both). */
async function applyDecision(
  ctx: BatchContext,
  job: JobState,
  flow: Flow,
  record: ProviderJobRecord,
  items: BatchItem[],
  decision: PollDecision,
): Promise<void> {
  const { store } = ctx.deps;
  const jobs = ctx.deps.economy?.batches;
  const hashes = new Map(items.map((i) => [i.key, requestHash(i.request)]));
  const base = (key: string): Omit<EconomyItem, "kind"> | null => {
    const k = parseItemKey(key);
    if (!k) return null;
    return { pass: record.pass, rowIndex: Number(k.rowId), nodeId: k.nodeId, requestHash: hashes.get(key) ?? "", providerJob: record.displayName };
  };
  const out: EconomyItem[] = [];
  const settle = { jobId: job.id, displayName: record.displayName };
  switch (decision.kind) {
    case "results": {
      const nodes = new Map(flow.nodes.map((n) => [n.id, n]));
      let fullCostUsd = 0;
      for (const o of decision.outcomes) {
        const b = base(o.key);
        if (!b) continue;
        if (!o.ok) {
          out.push({ ...b, kind: "error", error: o.error.toInfo() });
          continue;
        }
        const r = o.result;
        out.push({ ...b, kind: "answer", text: r.text, ...(r.json !== undefined ? { json: r.json } : {}), usage: r.usage, model: r.model });
        const node = nodes.get(b.nodeId);
        if (node?.type === "text") fullCostUsd += nodeCallCost(node, { usage: r.usage }, ctx.deps.prices ?? DEFAULT_PRICES, r.model);
      }
      await writeEconomyItems(store, job.id, out);
      await settleProviderJob({ store, jobs }, { ...settle, outcome: "results", fullCostUsd: roundUsd(fullCostUsd) });
      return;
    }
    case "fallback": {
      for (const key of decision.itemKeys) {
        const b = base(key);
        if (b) out.push({ ...b, kind: "fallback" });
      }
      await writeEconomyItems(store, job.id, out);
      await settleProviderJob({ store, jobs }, { ...settle, outcome: "fallback" });
      return;
    }
    case "failed": {
      for (const key of decision.itemKeys) {
        const b = base(key);
        if (b) out.push({ ...b, kind: "error", error: decision.error });
      }
      await writeEconomyItems(store, job.id, out);
      await settleProviderJob({ store, jobs }, { ...settle, outcome: "failed", error: decision.error });
      return;
    }
    case "wait":
    case "nothing":
      return;
  }
}

async function providerRecords(ctx: BatchContext, jobId: string): Promise<ProviderJobRecord[]> {
  return (await ctx.deps.store.query(providerJobsCollection(jobId))).map((d) => ProviderJobRecord.parse(d.data));
}

async function layerSettled(ctx: BatchContext, jobId: string, pass: number, layer: number): Promise<boolean> {
  const mine = (await providerRecords(ctx, jobId)).filter((r) => r.pass === pass && r.layer === layer);
  return mine.length > 0 && mine.every((r) => r.status === "settled");
}

/** `job.economy` from the records, written only when what it shows changed. */
async function writeProgress(ctx: BatchContext, job: JobState): Promise<void> {
  const records = await providerRecords(ctx, job.id);
  const now = ctx.deps.clock.now();
  const layers: LayerSummary[] = layerProgress(
    records.filter((r) => r.pass === job.pass),
    now,
  ).map((l) => ({
    layer: l.layer,
    providerJobs: l.providerJobs,
    requests: l.requests,
    states: { ...l.states },
    waitingSince: l.done ? null : now - l.waitingMs,
    done: l.done,
  }));
  const realtimeCostUsd = roundUsd(records.reduce((s, r) => s + (r.fullCostUsd ?? 0), 0));
  const fresh = await readJob(ctx.deps.store, job.id);
  const shown = fresh?.economy;
  if (shown && JSON.stringify(shown.layers) === JSON.stringify(layers) && shown.realtimeCostUsd === realtimeCostUsd) return;
  await ctx.deps.store.update(jobPath(job.id), { economy: EconomyProgress.parse({ layers, realtimeCostUsd, updatedAt: now }) });
}

/** After the last layer: the pass's lanes, as startJob makes them for a realtime job (once). */
async function openLanes(ctx: BatchContext, jobId: string, pass: number): Promise<void> {
  const { store, clock, logger } = ctx.deps;
  const lanes = await store.runTransaction(async (tx) => {
    const job = await readJob(tx, jobId);
    if (!job || job.pass !== pass || job.layersPass !== pass || !isPassOpen(job.status)) return null;
    const now = clock.now();
    const made = splitRanges(job.passRows, Math.min(job.concurrency, job.passRows), pass, now, job.passList);
    made.forEach(takeOwn);
    tx.update(jobPath(jobId), { layersPass: null, laneCount: made.length, updatedAt: now });
    for (const l of made) tx.set(lanePath(jobId, l.index), storedLane(l));
    return made;
  });
  if (!lanes) return;
  await ensureLaneTasks(ctx, jobId, lanes);
  logger.info({ jobId, pass, lanes: lanes.length }, "economy layers done; lanes opened");
}

/** The pass's work list as row indices. */
async function passRows(ctx: BatchContext, job: JobState): Promise<number[]> {
  const rows: number[] = [];
  const lane = { pass: job.pass, list: job.passList };
  for (let pos = 0; pos < job.passRows; pos++) rows.push(await rowAt(ctx, job.id, lane, pos));
  return rows;
}

/** The items a provider job was created with, rendered again (prompts are not stored), in its order. */
async function recordItems(ctx: BatchContext, job: JobState, flow: Flow, record: ProviderJobRecord): Promise<BatchItem[]> {
  const rows = [...new Set(record.itemKeys.map((k) => Number(parseItemKey(k)?.rowId ?? NaN)).filter(Number.isInteger))];
  const requests = (await layerRequests(ctx, job, flow, record.layer, rows)).filter((r) => r.node.data.model === record.model);
  const byKey = new Map<string, BatchItem>();
  for (const g of groupRequests(requests, { jobId: job.id, pass: record.pass, layer: record.layer, maxBytes: Number.MAX_SAFE_INTEGER })) {
    for (const item of g.items) byKey.set(item.key, item);
  }
  const items = record.itemKeys.map((k) => byKey.get(k));
  if (items.some((i) => i === undefined)) {
    throw new PermanentError("internal", `The requests of provider job ${record.displayName} cannot be rendered again`);
  }
  return items as BatchItem[];
}

/**
 * The layer's requests for the given rows: each text node of the layer, for every row whose
 * inputs and earlier text nodes all have answers (from `economy_items`), rendered as the engine
 * renders them.
 */
export async function layerRequests(ctx: BatchContext, job: JobState, flow: Flow, layer: number, rows: readonly number[]): Promise<PendingTextRequest[]> {
  const layers = textLayers(flow);
  const current = layers.find((l) => l.layer === layer);
  if (!current) return [];
  const nodes = new Map(flow.nodes.map((n) => [n.id, n]));
  const earlier = layers.filter((l) => l.layer < layer).flatMap((l) => l.nodeIds);
  const keys = rows.flatMap((rowIndex) => earlier.map((nodeId) => ({ rowIndex, nodeId })));
  const stored = new Map((await readEconomyItems(ctx.deps.store, job.id, job.pass, keys)).map((i) => [`${i.rowIndex}/${i.nodeId}`, i]));
  const graph = buildGraph(flow);
  const above = new Map(current.nodeIds.map((id) => [id, [...ancestors(graph, id)]]));
  const requests: PendingTextRequest[] = [];
  for (const rowIndex of rows) {
    const values = await loadRow(ctx, job, rowIndex);
    const outputs = new Map<string, NodeOutput>();
    for (const node of flow.nodes) {
      if (node.type !== "input") continue;
      try {
        outputs.set(node.id, inputNodeOutput(node, values));
      } catch {
        // The row task fails this input as the engine does; nothing below it is batched.
      }
    }
    for (const nodeId of earlier) {
      const item = stored.get(`${rowIndex}/${nodeId}`);
      const node = nodes.get(nodeId);
      if (item?.kind !== "answer" || node?.type !== "text") continue;
      try {
        outputs.set(nodeId, textOutput(node, item));
      } catch {
        // An answer the engine would reject fails the node in the row task.
      }
    }
    for (const nodeId of current.nodeIds) {
      const node = nodes.get(nodeId);
      if (node?.type !== "text") continue;
      if ((above.get(nodeId) ?? []).some((id) => !outputs.has(id) && isRunnable(nodes.get(id)))) continue;
      try {
        const prompt = renderWith(node.data.prompt, outputs);
        const system = node.data.system !== undefined ? renderWith(node.data.system, outputs) : undefined;
        requests.push({ rowId: String(rowIndex), node, prompt, ...(system !== undefined ? { system } : {}) });
      } catch {
        // A prompt that does not render fails in the row task exactly as in realtime.
      }
    }
  }
  return requests;
}

/** Nodes whose output a prompt may need (output nodes produce none for the layers). */
function isRunnable(node: Flow["nodes"][number] | undefined): boolean {
  return node !== undefined && node.type !== "output";
}

function textOutput(node: TextNode, item: EconomyItem): NodeOutput {
  const text = item.text ?? "";
  if (node.data.jsonSchema === undefined) return { kind: "text", text };
  return { kind: "json", text, value: checkJsonOutput(node.id, item.json ?? JSON.parse(text)) };
}

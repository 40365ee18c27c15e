/**
 * The durable answers of an economy pass: one document per (pass, row, text node) at
 * `batch_jobs/{jobId}/economy_items/{pass}-{rowIndex}-{node}`, written when the provider job that
 * carried the item settles, before the record is settled. The next layer renders its prompts from
 * them, and the row task answers the engine's text calls from them, so a crash between layers
 * loses nothing and a row's result is built exactly as a realtime row's.
 *
 * An item is `answer` (the provider's text, JSON and usage), `error` (a per-item failure,
 * classified like a realtime one), or `fallback` (its provider job failed, expired or ran out of
 * time: the row runs that node, and what depends on it, realtime). `requestHash` is the SHA-256 of
 * the rendered request, so the row task matches the engine's call to its answer without a node id.
 *
 * A JSON answer is stored as JSON text (`jsonText`), as the row runner stores JSON outputs: a
 * document cannot hold arrays of arrays (Firestore refuses them), and one such answer would fail
 * every settle of its provider job. Readers get `json` back; items written with `json` read as before.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { BatchTextRequest } from "../ai/batch-port";
import { ErrorInfo } from "../errors";
import { documentSize } from "../store-kit/doc-data";
import { type DocumentStore, FIRESTORE_COMMIT_LIMITS } from "../ports/store";

export const EconomyItem = z.object({
  pass: z.number().int().nonnegative(),
  rowIndex: z.number().int().nonnegative(),
  nodeId: z.string().min(1),
  kind: z.enum(["answer", "error", "fallback"]),
  requestHash: z.string(),
  /** The provider job whose answer this is (its display name). */
  providerJob: z.string(),
  text: z.string().optional(),
  json: z.unknown().optional(),
  /** The JSON answer as text (how it is stored; `readEconomyItems` gives it back as `json`). */
  jsonText: z.string().optional(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() }).optional(),
  model: z.string().optional(),
  error: ErrorInfo.optional(),
});
export type EconomyItem = z.infer<typeof EconomyItem>;

export const ECONOMY_ITEMS = "economy_items";

export function economyItemPath(jobId: string, pass: number, rowIndex: number, nodeId: string): string {
  return `batch_jobs/${jobId}/${ECONOMY_ITEMS}/${pass}-${rowIndex}-${safeNodeId(nodeId)}`;
}

/** Node ids as document-id text: kept when plain, else a short hash (ids may hold any character). */
function safeNodeId(nodeId: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(nodeId) ? nodeId : `h${createHash("sha256").update(nodeId).digest("hex").slice(0, 24)}`;
}

/** SHA-256 of the request as the engine would send it (the signal is not part of it). */
export function requestHash(req: BatchTextRequest): string {
  const fields = {
    model: req.model,
    prompt: req.prompt,
    system: req.system ?? null,
    temperature: req.temperature ?? null,
    maxOutputTokens: req.maxOutputTokens ?? null,
    jsonSchema: req.jsonSchema ?? null,
  };
  return createHash("sha256").update(stableJson(fields)).digest("hex");
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Items per read or write batch (Firestore commits at most 500 writes). */
const WRITE_CHUNK = 400;

/** Writes the items (set: a repeated settle writes the same content again), in batches under the commit limits. */
export async function writeEconomyItems(store: DocumentStore, jobId: string, items: readonly EconomyItem[]): Promise<void> {
  const maxBytes = (store.commitLimits ?? FIRESTORE_COMMIT_LIMITS).maxBytes / 2;
  const maxWrites = Math.min(WRITE_CHUNK, (store.commitLimits ?? FIRESTORE_COMMIT_LIMITS).maxWrites);
  let batch = store.batch();
  let writes = 0;
  let bytes = 0;
  for (const given of items) {
    const item = storedItem(given);
    const path = economyItemPath(jobId, item.pass, item.rowIndex, item.nodeId);
    const size = documentSize(path, item);
    if (writes > 0 && (writes >= maxWrites || bytes + size > maxBytes)) {
      await batch.commit();
      batch = store.batch();
      writes = 0;
      bytes = 0;
    }
    batch.set(path, item);
    writes += 1;
    bytes += size;
  }
  if (writes > 0) await batch.commit();
}

/** The stored items of the given (row, node) pairs; absent ones are left out. */
export async function readEconomyItems(
  store: Pick<DocumentStore, "getAll">,
  jobId: string,
  pass: number,
  keys: ReadonlyArray<{ rowIndex: number; nodeId: string }>,
): Promise<EconomyItem[]> {
  if (keys.length === 0) return [];
  const out: EconomyItem[] = [];
  for (let i = 0; i < keys.length; i += WRITE_CHUNK) {
    const docs = await store.getAll(keys.slice(i, i + WRITE_CHUNK).map((k) => economyItemPath(jobId, pass, k.rowIndex, k.nodeId)));
    for (const d of docs) if (d) out.push(readItem(EconomyItem.parse(d.data)));
  }
  return out;
}

/** The item as stored: a JSON answer as text. */
function storedItem(item: EconomyItem): EconomyItem {
  if (item.json === undefined) return item;
  const { json, ...rest } = item;
  return { ...rest, jsonText: JSON.stringify(json) };
}

/** The item as readers use it: `json` parsed back from its text. */
function readItem(item: EconomyItem): EconomyItem {
  if (item.jsonText === undefined) return item;
  const { jsonText, ...rest } = item;
  return { ...rest, json: JSON.parse(jsonText) as unknown };
}

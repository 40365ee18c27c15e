/**
 * Deterministic content for the offline provider: a stable hash of the request, a summary-like
 * text, a JSON value shaped by a JSON schema, and token estimates. Pure functions, no I/O.
 */
import { createHash } from "node:crypto";
import type { Usage } from "./port";

/** Hex SHA-256 of the parts joined with a separator that cannot appear by accident. */
export function stableHash(...parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** A number in [0, 1) taken from `hash` at `slot` (each slot reads 8 hex digits). */
export function hashFraction(hash: string, slot: number): number {
  const start = (slot * 8) % (hash.length - 7);
  return parseInt(hash.slice(start, start + 8), 16) / 0x1_0000_0000;
}

/** ~4 characters per token, the usual rule of thumb for English text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

export function usageOf(inputTokens: number, outputTokens: number): Usage {
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/** "Offline reply 1a2b3c4d (model): first words of the prompt… [n words]". */
export function summaryText(model: string, prompt: string, hash: string): string {
  const words = prompt.split(/\s+/).filter((w) => w.length > 0);
  const head = words.slice(0, 12).join(" ");
  const more = words.length > 12 ? "…" : "";
  return `Offline reply ${hash.slice(0, 8)} (${model}): ${head}${more} [${words.length} words]`;
}

type Schema = Record<string, unknown>;

/** Builds a value that conforms to the common subset of JSON Schema, choosing values from `hash`. */
export function sampleFromSchema(schema: unknown, hash: string, depth = 0, slot = 0): unknown {
  if (typeof schema !== "object" || schema === null || depth > 8) return null;
  const s = schema as Schema;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[Math.floor(hashFraction(hash, slot) * s.enum.length)];
  const variants = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as unknown[] | undefined;
  if (variants && variants.length > 0) return sampleFromSchema(variants[0], hash, depth + 1, slot);
  switch (schemaType(s)) {
    case "object":
      return sampleObject(s, hash, depth, slot);
    case "array":
      return sampleArray(s, hash, depth, slot);
    case "string":
      return `${typeof s.title === "string" ? s.title : "value"}-${hash.slice(slot % 56, (slot % 56) + 6)}`;
    case "integer":
      return Math.round(numberInRange(s, hashFraction(hash, slot)));
    case "number":
      return Math.round(numberInRange(s, hashFraction(hash, slot)) * 100) / 100;
    case "boolean":
      return hashFraction(hash, slot) >= 0.5;
    case "null":
      return null;
  }
}

type SchemaType = "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";
const TYPES: readonly SchemaType[] = ["object", "array", "string", "integer", "number", "boolean", "null"];

function schemaType(s: Schema): SchemaType {
  const t: unknown = Array.isArray(s.type) ? (s.type as unknown[]).find((x) => x !== "null") : s.type;
  const lower = typeof t === "string" ? t.toLowerCase() : undefined;
  const known = TYPES.find((x) => x === lower);
  if (known) return known;
  if (typeof s.properties === "object") return "object";
  if (s.items !== undefined) return "array";
  return "string";
}

function sampleObject(s: Schema, hash: string, depth: number, slot: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = (typeof s.properties === "object" && s.properties !== null ? s.properties : {}) as Schema;
  let i = 0;
  for (const [key, sub] of Object.entries(props)) {
    out[key] = sampleFromSchema(withTitle(sub, key), hash, depth + 1, slot + 1 + i);
    i++;
  }
  return out;
}

function sampleArray(s: Schema, hash: string, depth: number, slot: number): unknown[] {
  const min = typeof s.minItems === "number" ? s.minItems : 0;
  const max = typeof s.maxItems === "number" ? s.maxItems : Math.max(min, 3);
  const count = Math.min(max, Math.max(min, 2));
  return Array.from({ length: count }, (_, i) => sampleFromSchema(s.items, hash, depth + 1, slot + 1 + i));
}

function numberInRange(s: Schema, fraction: number): number {
  const lo = typeof s.minimum === "number" ? s.minimum : 0;
  const hi = typeof s.maximum === "number" ? s.maximum : lo + 100;
  return lo + fraction * (hi - lo);
}

/** Names string values after their property ("title-3fa9c1") unless the schema has a title. */
function withTitle(sub: unknown, key: string): unknown {
  if (typeof sub !== "object" || sub === null || "title" in sub) return sub;
  return { ...(sub as Schema), title: key };
}

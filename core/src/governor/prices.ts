/**
 * The price table (USD) and `costOf`, the one place money is computed from usage. Versioned and
 * overridable: a host passes its own table (`BatchDeps.prices`, or entries layered over the
 * default with `withPrices`) when prices change or a contract differs. Rows and jobs record cost
 * with it (run-cost.ts); estimates and the budget cap use the same table.
 *
 * Source: Gemini Developer API pricing, paid tier, standard (not batch) mode,
 * https://ai.google.dev/gemini-api/docs/pricing. Text: input and output per 1M tokens (prompts up
 * to 200k tokens where the price is tiered; thinking tokens are billed as output). Images: per
 * generated image (1024×1024). Veo: per second of video. Per figure, how it was checked (on
 * 2026-12-01, from pages that quote the pricing page; the page itself was not fetched):
 * - gemini-2.5-pro 1.25 / 10, gemini-2.5-flash 0.30 / 2.50, gemini-2.5-flash-lite and
 *   gemini-2.0-flash 0.10 / 0.40: the same figures in several 2026 write-ups of the page
 *   (January–March 2026). Verified in that sense.
 * - gemini-2.5-flash-image: $0.039 per image (1,290 output tokens at $30 per 1M), input $0.30 per
 *   1M: quoted with the Imagen figures below (February 2026).
 * - imagen-4.0 fast / standard / ultra: $0.02 / $0.04 / $0.06 per image, "checked against the Gemini
 *   API pricing page" by a page dated 2026-03-03.
 * - veo-3.0(-fast)-generate-001: $0.40 / $0.15 per second are the figures published for Veo 3.1
 *   standard / fast (March 2026); that Veo 3.0 still bills the same was NOT verified.
 * Check the page before relying on a figure: prices change.
 */
import { z } from "zod";
import type { Usage } from "../ai/port";
import { ownEntry } from "./own-entry";

export const ModelPrice = z.object({
  inputPerMTokens: z.number().nonnegative().optional(),
  outputPerMTokens: z.number().nonnegative().optional(),
  perImage: z.number().nonnegative().optional(),
  perVideoSecond: z.number().nonnegative().optional(),
  /** A flat price per billed call, on top of the rest (a contract or a test may price calls so). */
  perRequest: z.number().nonnegative().optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PriceTable = z.object({
  version: z.string().min(1),
  models: z.record(z.string().min(1), ModelPrice),
});
export type PriceTable = z.infer<typeof PriceTable>;

export const DEFAULT_PRICES: PriceTable = {
  version: "gemini-paid-2026-12-01",
  models: {
    "gemini-2.5-pro": { inputPerMTokens: 1.25, outputPerMTokens: 10 },
    "gemini-2.5-flash": { inputPerMTokens: 0.3, outputPerMTokens: 2.5 },
    "gemini-2.5-flash-lite": { inputPerMTokens: 0.1, outputPerMTokens: 0.4 },
    "gemini-2.0-flash": { inputPerMTokens: 0.1, outputPerMTokens: 0.4 },
    "gemini-2.5-flash-image": { inputPerMTokens: 0.3, perImage: 0.039 },
    "imagen-4.0-generate-001": { perImage: 0.04 },
    "imagen-4.0-fast-generate-001": { perImage: 0.02 },
    "imagen-4.0-ultra-generate-001": { perImage: 0.06 },
    "veo-3.0-generate-001": { perVideoSecond: 0.4 },
    "veo-3.0-fast-generate-001": { perVideoSecond: 0.15 },
  },
};

/** A table with `overrides` layered over `base`, per model and per field, under a new version. */
export function withPrices(base: PriceTable, version: string, overrides: Record<string, ModelPrice>): PriceTable {
  const models = { ...base.models };
  for (const [model, price] of Object.entries(overrides)) models[model] = { ...ownEntry(models, model), ...price };
  return { version, models };
}

/** What one call produced: tokens, and for media calls the images or video seconds. */
export interface BilledUsage {
  usage?: Pick<Usage, "inputTokens" | "outputTokens">;
  images?: number;
  videoSeconds?: number;
  /** Billed calls (for a `perRequest` price; 0 when absent). */
  requests?: number;
}

export type CostResult = { known: true; usd: number } | { known: false; usd: 0; reason: "unknown_model" | "unpriced_part" };

/**
 * The cost of a call in USD. Unknown models, or a part with no price (e.g. video seconds on a
 * text model), answer `known: false` so callers can show "unknown" rather than a wrong zero.
 */
export function costOf(model: string, billed: BilledUsage, table: PriceTable = DEFAULT_PRICES): CostResult {
  const price = ownEntry(table.models, model);
  if (!price) return { known: false, usd: 0, reason: "unknown_model" };
  const parts: Array<[number, number | undefined]> = [
    [(billed.usage?.inputTokens ?? 0) / 1_000_000, price.inputPerMTokens],
    [(billed.usage?.outputTokens ?? 0) / 1_000_000, price.outputPerMTokens],
    [billed.images ?? 0, price.perImage],
    [billed.videoSeconds ?? 0, price.perVideoSecond],
    [price.perRequest !== undefined ? (billed.requests ?? 0) : 0, price.perRequest],
  ];
  let usd = 0;
  for (const [amount, rate] of parts) {
    if (amount === 0) continue;
    // Media models often bill their prompt tokens too little to list: a missing token price is 0 there.
    if (rate === undefined) {
      if (price.perImage !== undefined || price.perVideoSecond !== undefined) continue;
      return { known: false, usd: 0, reason: "unpriced_part" };
    }
    usd += amount * rate;
  }
  return { known: true, usd: Math.round(usd * 1e9) / 1e9 };
}

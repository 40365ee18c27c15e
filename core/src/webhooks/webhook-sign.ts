/**
 * Webhook signatures, Stripe-style: `X-FlowCraft-Signature: t=<unix seconds>,v1=<hex>` where v1 is
 * HMAC-SHA256 with the owner's secret over `${t}.${rawBody}`. A receiver recomputes it over the
 * raw bytes it got, compares in constant time and refuses a `t` too far from its clock (replays).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-flowcraft-signature";
export const EVENT_ID_HEADER = "x-flowcraft-event-id";
export const EVENT_TYPE_HEADER = "x-flowcraft-event";

const hmac = (secret: string, t: number, body: string): string => createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

export function signWebhook(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/** True when `header` signs `body` with `secret` within `toleranceSec` of `nowMs` (default 5 min). */
export function verifyWebhook(o: { secret: string; header: string; body: string; nowMs: number; toleranceSec?: number }): boolean {
  const parts = new Map(o.header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || Math.abs(o.nowMs / 1000 - t) > (o.toleranceSec ?? 300)) return false;
  const want = Buffer.from(hmac(o.secret, t, o.body), "hex");
  const got = Buffer.from(v1, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

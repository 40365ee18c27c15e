/**
 * The run dialog's optional "calls at once by step type" fields: which step types the flow has,
 * and the typed text turned into the batch's `callLimits` (blank = no cap for that type), with a
 * message per field that is not a whole number ≥ 1.
 */
import type { CallKind, JobCallLimits } from "@core/governor/port";

export const CALL_KINDS: readonly CallKind[] = ["text", "image", "video"];

/** The AI step types present in the flow, in a fixed order. */
export function stepKindsOf(flow: unknown): CallKind[] {
  const nodes = (flow as { nodes?: Array<{ type?: unknown }> } | null)?.nodes ?? [];
  const present = new Set(nodes.map((n) => n.type));
  return CALL_KINDS.filter((k) => present.has(k));
}

export type KindFields = Partial<Record<CallKind, string>>;

/** A positive whole number from a field, or an error message; blank is `null` (no limit). */
export function callsAtOnce(text: string | undefined): number | null | { error: string } {
  const t = (text ?? "").trim();
  if (t === "") return null;
  const n = Number(t);
  return /^\d+$/.test(t) && Number.isSafeInteger(n) && n >= 1 ? n : { error: "a whole number of calls, at least 1 (or blank for no cap)" };
}

/** `callLimits` for the kinds the flow has (undefined when none is set), or the errors by kind. */
export function callLimitsFrom(fields: KindFields, kinds: readonly CallKind[]): { callLimits?: JobCallLimits; errors: KindFields } {
  const byKind: Partial<Record<CallKind, number>> = {};
  const errors: KindFields = {};
  for (const kind of kinds) {
    const v = callsAtOnce(fields[kind]);
    if (v === null) continue;
    if (typeof v === "number") byKind[kind] = v;
    else errors[kind] = v.error;
  }
  return Object.keys(byKind).length > 0 ? { callLimits: { byKind }, errors } : { errors };
}

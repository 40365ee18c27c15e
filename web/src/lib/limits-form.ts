/**
 * The Settings page's form logic, kept out of the component so it can be tested: one row per
 * model with four text fields (blank = the default for that field), turned into the model's new
 * override with an error per field, and the server's validation details mapped back to fields.
 */
import type { ErrorDetail } from "@core/errors";
import type { ModelLimits } from "@core/governor/port";

export const LIMIT_FIELDS = ["rpm", "tpm", "concurrency", "rpd"] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];
export type LimitFields = Record<LimitField, string>;
export type FieldErrors = Partial<Record<LimitField, string>>;

export const FIELD_LABELS: Record<LimitField, string> = { rpm: "Requests / min", tpm: "Tokens / min", concurrency: "Calls at once", rpd: "Requests / day" };

const WHOLE: ReadonlySet<LimitField> = new Set(["concurrency", "rpd"]);

/** The fields for a model's override (empty where the default applies). */
export function fieldsOf(override: ModelLimits | null): LimitFields {
  const out = { rpm: "", tpm: "", concurrency: "", rpd: "" };
  for (const f of LIMIT_FIELDS) {
    const v = override?.[f];
    if (v !== undefined) out[f] = String(v);
  }
  return out;
}

/** The override the fields describe (`null` = all blank: back to the default), or the errors by field. */
export function overrideOf(fields: LimitFields): { override: ModelLimits | null; errors: FieldErrors } {
  const override: ModelLimits = {};
  const errors: FieldErrors = {};
  for (const f of LIMIT_FIELDS) {
    const t = fields[f].trim().replace(/[_\s]/g, "");
    if (t === "") continue;
    const n = Number(t);
    if (!/^\d+(\.\d+)?$/.test(t) || !Number.isFinite(n) || n <= 0) errors[f] = "a number above 0 (or blank for the default)";
    else if (WHOLE.has(f) && !Number.isInteger(n)) errors[f] = "a whole number (or blank for the default)";
    else override[f] = n;
  }
  return { override: Object.keys(override).length > 0 ? override : null, errors };
}

/** The server's details for `model` (`<model>.<field>` or `<model>`), by field; `_` holds the rest. */
export function serverErrorsFor(details: readonly ErrorDetail[] | undefined, model: string): FieldErrors & { _?: string } {
  const out: FieldErrors & { _?: string } = {};
  for (const d of details ?? []) {
    if (d.path === model) out._ = d.message;
    const field = LIMIT_FIELDS.find((f) => d.path === `${model}.${f}`);
    if (field) out[field] = d.message;
  }
  return out;
}

/** How a limit shows as a default: `1,000` or `no limit`. */
export function describeLimit(v: number | undefined): string {
  return v === undefined ? "no limit" : v.toLocaleString();
}

/**
 * The command-line flags of the local benchmarks: `--name value` pairs, each with a default and a
 * rule for its value. Every benchmark reads its flags through here, so they all accept and refuse
 * values the same way.
 */

/** What a flag's number must be. */
export type NumberRule = "positive-integer" | "positive" | "non-negative";

const RULES: Record<NumberRule, { ok: (v: number) => boolean; says: string }> = {
  "positive-integer": { ok: (v) => Number.isInteger(v) && v >= 1, says: "a positive integer" },
  positive: { ok: (v) => Number.isFinite(v) && v > 0, says: "a positive number" },
  "non-negative": { ok: (v) => Number.isFinite(v) && v >= 0, says: "a number of at least 0" },
};

/** The text after `--name`, or undefined when the flag is absent. A flag given last, with no value, is refused. */
export function flagText(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i === -1) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`--${name} needs a value`);
  return v;
}

/** The number after `--name` (or `dflt`), checked against `rule`. */
export function numberFlag(argv: readonly string[], name: string, dflt: number, rule: NumberRule): number {
  const text = flagText(argv, name);
  const v = text === undefined ? dflt : Number(text);
  if (text?.trim() === "" || !RULES[rule].ok(v)) throw new Error(`--${name} must be ${RULES[rule].says}`);
  return v;
}

/** A comma list of positive integers after `--name` (or `dflt`), with at least `min` entries. */
export function countsFlag(argv: readonly string[], name: string, dflt: readonly number[], min = 1): number[] {
  const text = flagText(argv, name);
  const counts = text === undefined ? [...dflt] : text.split(",").map((s) => (s.trim() === "" ? NaN : Number(s)));
  if (counts.length < min || counts.some((n) => !RULES["positive-integer"].ok(n))) {
    throw new Error(`--${name} must list ${min > 1 ? `at least ${min} ` : ""}positive integers, e.g. ${dflt.join(",")}`);
  }
  return counts;
}

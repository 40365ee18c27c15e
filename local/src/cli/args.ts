/**
 * Command-line parsing for `flowcraft-batch`: `--name value`, `--name=value` and boolean flags.
 * Unknown options and missing values are usage errors (exit 2).
 */
import { parseUsd } from "@flowcraft/core";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  options: Record<string, string | true>;
}

/** `spec`: option name → "value" (takes a value; "list": may repeat, values joined by commas) or "flag" (boolean). */
export function parseArgs(argv: readonly string[], spec: Record<string, "value" | "list" | "flag">): ParsedArgs {
  const out: ParsedArgs = { command: null, positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-h") {
      out.options.help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      if (out.command === null && out.positionals.length === 0 && !arg.startsWith("-")) out.command = arg;
      else out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === "flag") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      out.options[name] = true;
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
    const previous = out.options[name];
    out.options[name] = kind === "list" && typeof previous === "string" ? `${previous},${value}` : value;
  }
  return out;
}

export function intOption(opts: ParsedArgs["options"], name: string, min: number, max: number): number | undefined {
  const raw = opts[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw === true || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** An amount of money: a positive decimal (a leading $ is allowed). */
export function usdOption(opts: ParsedArgs["options"], name: string): number | undefined {
  const raw = opts[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" ? parseUsd(raw) : null;
  if (n === null) throw new UsageError(`--${name} must be an amount in USD above 0, e.g. 2.50`);
  return n;
}

export function stringOption(opts: ParsedArgs["options"], name: string): string | undefined {
  const v = opts[name];
  return typeof v === "string" ? v : undefined;
}

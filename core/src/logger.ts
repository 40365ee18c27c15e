/**
 * Structured logging port: an object first, then a short fixed message. Never log prompts, cell
 * values or keys at info level.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** One JSON line per entry on stderr; `level` filters. */
export function jsonLogger(level: "debug" | "info" | "warn" | "error" = "info"): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 } as const;
  const make =
    (l: keyof typeof order) =>
    (fields: Record<string, unknown>, msg: string): void => {
      if (order[l] < order[level]) return;
      process.stderr.write(`${JSON.stringify({ level: l, msg, ...fields, time: new Date().toISOString() })}\n`);
    };
  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
}

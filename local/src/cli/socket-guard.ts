/**
 * The server's last line of defence: an error from one client's socket or response that escaped
 * every listener (a vanished client's EPIPE or ECONNRESET, a write racing the end) is logged and
 * the server carries on serving everyone else. Any other uncaught error is a real fault (a failed
 * group commit throws on purpose, for instance) and still stops the process with exit code 1,
 * after printing it, as Node would.
 */
import type { Logger } from "@flowcraft/core";
import { errorFields } from "../log-error";

const CLIENT_CONNECTION_ERRORS = new Set([
  "EPIPE",
  "ECONNRESET",
  "ECONNABORTED",
  "ERR_STREAM_WRITE_AFTER_END",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ERR_STREAM_ALREADY_FINISHED",
]);

/** True for errors that only mean one client's connection is gone or done. */
export function isClientConnectionError(err: unknown): boolean {
  const code = nodeCode(err);
  return code !== null && CLIENT_CONNECTION_ERRORS.has(code);
}

function nodeCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : null;
}

export interface SocketGuardOptions {
  logger: Logger;
  /** Called for every other uncaught error; must end the process. */
  fatal: (err: unknown) => void;
}

/** Installs the guard on `process`; returns its removal. */
export function installSocketGuard(opts: SocketGuardOptions): () => void {
  const onUncaught = (err: unknown): void => {
    if (isClientConnectionError(err)) {
      opts.logger.warn({ ...errorFields(err), code: nodeCode(err) }, "client connection error ignored");
      return;
    }
    opts.fatal(err);
  };
  process.on("uncaughtException", onUncaught);
  return () => process.off("uncaughtException", onUncaught);
}

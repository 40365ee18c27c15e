/**
 * What the CLI prints for an error it cannot handle: a damaged database gets one message saying
 * what to do (no stack trace: nothing in it would help), anything else the stack, as Node would.
 */
import { DataFileDamagedError, isDamagedFileError } from "../sqlite/check-data-file";

/** The message for a damaged database, or null for other errors. */
export function damagedDataMessage(err: unknown): string | null {
  if (err instanceof DataFileDamagedError) return `error: ${err.message}\n`;
  if (!isDamagedFileError(err)) return null;
  const reason = err instanceof Error ? err.message : String(err);
  return (
    `error: the data directory's database is damaged (${reason}).\n` +
    `Stop using it: restore flowcraft.db from a backup, or move the directory aside and start again.\n`
  );
}

export function fatalMessage(err: unknown): string {
  return damagedDataMessage(err) ?? `${err instanceof Error && err.stack ? err.stack : String(err)}\n`;
}

/** The server could not listen (port taken, no permission): a message that says what to do, exit 1. */
export class ListenError extends Error {
  constructor(bind: string, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    const why =
      code === "EADDRINUSE" ? "is already in use" : code === "EACCES" ? "needs permissions this user lacks" : `could not be opened (${String(cause)})`;
    super(`port ${port} on ${bind} ${why}; stop the other server or choose another port with --port or PORT`);
    this.name = "ListenError";
  }
}

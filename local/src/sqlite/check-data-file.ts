/**
 * Refuses a damaged database before anything writes to it. A corrupt page used to surface later,
 * from a timer, as a stack trace, after start-up had already written to the file (ownership, WAL
 * bookkeeping). Here the file is checked read-only first: the SQLite header and b-trees
 * (`quick_check`), and the WAL header (SQLite silently drops a WAL it cannot read, and with it any
 * committed transactions that were not yet checkpointed). A damaged file stops the command with
 * one message saying what to do, and the files stay exactly as they were.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";

export class DataFileDamagedError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    const dir = path.dirname(file);
    super(
      `the database ${file} is damaged (${reason}). Nothing was changed.\n` +
        `To keep its batches, restore ${path.basename(file)} from a backup. Otherwise move the directory aside\n` +
        `(mv "${dir}" "${dir}.damaged") and start again, or choose another --data-dir.`,
    );
    this.name = "DataFileDamagedError";
  }
}

/** True for SQLite's "this file is damaged" errors (also when they surface after start-up). */
export function isDamagedFileError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}

const WAL_MAGIC = new Set([0x377f0682, 0x377f0683]);

function checkWalHeader(file: string): void {
  let header: Buffer;
  try {
    const fd = fs.openSync(`${file}-wal`, "r");
    try {
      header = Buffer.alloc(32);
      header = header.subarray(0, fs.readSync(fd, header, 0, 32, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return; // no WAL: nothing to lose
  }
  // Empty, or an all-zero (never written) header: SQLite starts a new log, and nothing is lost.
  if (header.every((b) => b === 0)) return;
  if (header.length < 32 || !WAL_MAGIC.has(header.readUInt32BE(0))) {
    throw new DataFileDamagedError(file, `its write-ahead log ${path.basename(file)}-wal has an unreadable header`);
  }
}

/** Throws DataFileDamagedError when `file` (an existing SQLite file) or its WAL is damaged. */
export function checkDataFile(file: string): void {
  if (!fs.existsSync(file)) return;
  checkWalHeader(file);
  // A read-only connection to a WAL database creates these two when missing; remove them again.
  const created = ["-wal", "-shm"].map((s) => `${file}${s}`).filter((f) => !fs.existsSync(f));
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const result = String(db.pragma("quick_check(1)", { simple: true }));
      if (result !== "ok") throw new DataFileDamagedError(file, result.replace(/\s+/g, " ").trim());
    } finally {
      db.close();
    }
  } catch (err) {
    if (isDamagedFileError(err)) throw new DataFileDamagedError(file, (err as Error).message);
    throw err;
  } finally {
    for (const f of created) fs.rmSync(f, { force: true });
  }
}

/**
 * Opens the local host's single SQLite file and owns its schema and pragmas. One process owns the
 * database at a time (see `owner-lock.ts`): that is what lets the store check versions at commit
 * and the task queue reclaim leases of a dead process at start-up.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { checkDataFile } from "./check-data-file";
import { indexedFieldExprs } from "./query-sql";

export type Db = Database.Database;

/**
 * `documents` is an ordinary (rowid) table. It used to be WITHOUT ROWID, which stores rows in
 * index b-tree cells whose inline payload is capped near 1,000 bytes on 4 KiB pages: a typical
 * 1 KB row result spilled its tail into an overflow page of its own, so each result took a leaf
 * cell plus a mostly empty 4 KiB page (a 10,000-row job's documents 48 MB for 12 MB of JSON), and a
 * range read of results touched two pages per row, falling out of SQLite's page cache once a job
 * had a few thousand rows (its cost per row grew with the job). A rowid table keeps rows up to about
 * 4 KB inline (the same job: 15 MB). Its index entries end in the rowid, not the key, so the
 * rowIndex index ends in `id` itself: ranges ordered by (rowIndex, id) still need no sort. Files
 * created with the old layout keep it (same queries, same results; only larger and slower to read).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS documents (
  parent TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (parent, id)
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  data TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_id TEXT,
  lease_until INTEGER,
  done_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_state_run_at ON tasks (state, run_at);
CREATE INDEX IF NOT EXISTS documents_row_index ON documents (parent, ${indexedFieldExprs()}, id);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Opens (creating when needed) `<dataDir>/flowcraft.db` in WAL mode. `:memory:` opens a private db. */
export function openDb(dataDir: string): Db {
  let file = ":memory:";
  if (dataDir !== ":memory:") {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, "flowcraft.db");
    checkDataFile(file); // before anything writes to it
  }
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // WAL + NORMAL survives process crashes (SIGKILL) without losing committed transactions; only an
  // OS crash or power loss can drop the last few, which is acceptable for a local batch runner.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = OFF");
  db.exec(SCHEMA);
  migrateOutbox(db);
  return db;
}

/**
 * The outbox pump reads rows above the highest seq it has taken, so seqs must never repeat. A
 * plain INTEGER PRIMARY KEY hands out max(seq)+1, which restarts at 1 whenever the table empties
 * (and repeats after the newest rows were delivered): those rows would sit unseen until a restart.
 * AUTOINCREMENT keeps a persistent high-water mark; files made before it get the table rebuilt.
 */
function migrateOutbox(db: Db): void {
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").pluck().get() as string;
  if (/AUTOINCREMENT/i.test(sql)) return;
  db.transaction(() => {
    db.exec(`CREATE TABLE outbox_v2 (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      path TEXT NOT NULL,
      data TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO outbox_v2 (seq, path, data, attempts) SELECT seq, path, data, attempts FROM outbox ORDER BY seq;
    DROP TABLE outbox;
    ALTER TABLE outbox_v2 RENAME TO outbox;`);
  }).immediate();
}

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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS documents (
  parent TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (parent, id)
) WITHOUT ROWID;
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
CREATE INDEX IF NOT EXISTS documents_row_index ON documents (parent, ${indexedFieldExprs()});
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

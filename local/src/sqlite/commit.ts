/**
 * The synchronous commit step of the SQLite store: checks what a transaction read is unchanged,
 * applies prepared writes in order, bumps versions from one global sequence, and records an outbox
 * row for every created document whose path matches a trigger pattern, all inside one SQLite
 * transaction. Versions come from a process-wide sequence, so a document deleted and re-created
 * never reuses a version (no ABA), and they double as SSE event ids.
 */
import { AlreadyExistsError, type DocData } from "@flowcraft/core";
import { applyWrite, type PreparedWrite } from "../core-internals";
import { DocCache, deepFreeze, type CachedDoc } from "./doc-cache";
import { noGroup, type BeforeWrite } from "./group-commit";
import type { Db } from "./open-db";

/** What a transaction saw: doc path → version (0 = missing), collection → write sequence. */
export interface ReadSet {
  docs: Map<string, number>;
  collections: Map<string, number>;
}

export interface DocChange {
  path: string;
  collection: string;
  id: string;
  /** True when the document did not exist before this commit and does now. */
  created: boolean;
  after: DocData | null;
  version: number;
}

/** Splits an already validated document path. */
function splitPath(path: string): { collection: string; id: string } {
  const i = path.lastIndexOf("/");
  return { collection: path.slice(0, i), id: path.slice(i + 1) };
}

/** Thrown inside the commit when a read went stale; the transaction runner retries. */
export class ConflictSignal extends Error {
  constructor() {
    super("transaction read stale data");
    this.name = "ConflictSignal";
  }
}

/**
 * A document path pattern (`*` matches one segment) whose creation is written to the outbox, with
 * the data as created, or only `fields` of it when the trigger's handler reads no more (the outbox
 * row then holds those top-level fields, not a second copy of the whole document).
 */
export type TriggerSpec = string | { pattern: string; fields: readonly string[] };

/** What a created document's outbox row holds: all of its data, or the listed fields. */
export type TriggerMatch = { fields: readonly string[] | null };

/** Compiles `batch_jobs/*\/results/*` style patterns (segment wildcards) to one matcher. */
export function compileTriggers(specs: readonly TriggerSpec[]): (path: string) => TriggerMatch | null {
  const compiled = specs.map((spec) => {
    const pattern = typeof spec === "string" ? spec : spec.pattern;
    const re = new RegExp(
      `^${pattern
        .split("/")
        .map((s) => (s === "*" ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/")}$`,
    );
    return { re, match: { fields: typeof spec === "string" ? null : spec.fields } };
  });
  return (path) => compiled.find((c) => c.re.test(path))?.match ?? null;
}

/** The outbox row's data for a created document. */
function triggerData(match: TriggerMatch, after: DocData, json: string): string {
  if (match.fields === null) return json;
  const picked: DocData = {};
  for (const f of match.fields) if (Object.hasOwn(after, f)) picked[f] = after[f];
  return JSON.stringify(picked);
}

interface Current {
  data: DocData | null;
  version: number;
}

/** A document as stored: its JSON is parsed only when a write needs the current data. */
interface Stored {
  json: string | null;
}

export class Committer {
  private seq: number;
  /** Last sequence that wrote into each collection (since open): detects phantoms for queries. */
  private readonly collectionSeq = new Map<string, number>();
  private readonly stmts;
  /** The checked apply as one SQLite transaction, wrapped once (wrapping per commit costs per row). */
  private readonly checkedApply: (writes: readonly PreparedWrite[], reads: ReadSet | undefined) => DocChange[];
  /** Documents as this process last read or wrote them: reads of hot documents skip SQLite. */
  private readonly cache = new DocCache();
  /** What the commit in progress wrote, put into the cache once its SQLite transaction succeeded. */
  private pending: [path: string, json: string | null, version: number][] = [];
  /** Documents read from SQLite because the cache did not hold them (diagnostics, tests). */
  fileReads = 0;

  constructor(
    private readonly db: Db,
    private readonly triggerOf: (path: string) => TriggerMatch | null,
    private readonly beforeWrite: BeforeWrite = noGroup,
  ) {
    // Deleting the newest documents lowers max(version), so the sequence reached is also kept in
    // meta (written by commits that delete): versions, and so SSE event ids, never repeat after a restart.
    const row = db.prepare("SELECT max(version) AS v FROM documents").get() as { v: number | null };
    const kept = Number(db.prepare("SELECT value FROM meta WHERE key = 'version_seq'").pluck().get() ?? 0);
    this.seq = Math.max(row.v ?? 0, Number.isSafeInteger(kept) ? kept : 0);
    this.stmts = {
      read: db.prepare("SELECT data, version FROM documents WHERE parent = ? AND id = ?"),
      upsert: db.prepare(
        "INSERT INTO documents (parent, id, data, version) VALUES (?, ?, ?, ?) ON CONFLICT (parent, id) DO UPDATE SET data = excluded.data, version = excluded.version",
      ),
      remove: db.prepare("DELETE FROM documents WHERE parent = ? AND id = ?"),
      outbox: db.prepare("INSERT INTO outbox (path, data) VALUES (?, ?)"),
      keepSeq: db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('version_seq', ?)"),
    };
    const tx = db.transaction((writes: readonly PreparedWrite[], reads: ReadSet | undefined) => {
      if (reads && !this.stillValid(reads)) throw new ConflictSignal();
      return this.applyAll(writes);
    });
    this.checkedApply = (writes, reads) => tx.immediate(writes, reads);
  }

  /** The highest version committed so far. */
  get currentSeq(): number {
    return this.seq;
  }

  collectionVersion(collection: string): number {
    return this.collectionSeq.get(collection) ?? 0;
  }

  readRaw(collection: string, id: string): Current {
    const cur = this.cached(collection, id);
    return { data: cur.json === null ? null : (JSON.parse(cur.json) as DocData), version: cur.version };
  }

  /**
   * `schema.parse` of a document's data (null when missing). The value is kept, frozen, on the
   * document's cache entry and returned again until the document is written (a new entry).
   */
  readParsed<T>(collection: string, id: string, schema: { parse(data: unknown): T }): T | null {
    const cur = this.cached(collection, id);
    if (cur.json === null) return null;
    if (cur.parsed?.schema === schema) return cur.parsed.value as T;
    const value = deepFreeze(schema.parse(JSON.parse(cur.json)));
    cur.parsed = { schema, value };
    return value;
  }

  /** The stored JSON and version of a document, from the cache or else from SQLite (then cached). */
  private cached(collection: string, id: string): CachedDoc {
    const path = `${collection}/${id}`;
    const hit = this.cache.get(path);
    if (hit) return hit;
    this.fileReads++;
    const row = this.stmts.read.get(collection, id) as { data: string; version: number } | undefined;
    const cur = row ? { json: row.data, version: row.version } : { json: null, version: 0 };
    this.cache.put(path, cur.json, cur.version);
    return this.cache.get(path) ?? cur;
  }

  /** Forgets every cached document: call when a transaction that wrote through here was rolled back. */
  dropCache(): void {
    this.cache.clear();
  }

  /** True when nothing in `reads` changed. Must run inside the SQLite transaction. */
  stillValid(reads: ReadSet): boolean {
    for (const [path, v] of reads.docs) {
      const p = splitPath(path);
      if (this.cached(p.collection, p.id).version !== v) return false;
    }
    for (const [collection, v] of reads.collections) {
      if (this.collectionVersion(collection) !== v) return false;
    }
    return true;
  }

  /** Applies writes atomically; throws ConflictSignal on stale reads, store errors on failed preconditions. */
  commit(writes: readonly PreparedWrite[], reads?: ReadSet): DocChange[] {
    this.beforeWrite();
    this.pending = [];
    const changes = this.checkedApply(writes, reads);
    for (const c of changes) this.collectionSeq.set(c.collection, c.version);
    for (const [path, json, version] of this.pending) this.cache.put(path, json, version);
    this.pending = [];
    return changes;
  }

  private applyAll(writes: readonly PreparedWrite[]): DocChange[] {
    const overlay = new Map<string, { existed: boolean; stored: Stored; after: DocData | null; collection: string; id: string }>();
    for (const w of writes) {
      let entry = overlay.get(w.path);
      if (!entry) {
        const p = splitPath(w.path);
        const cur = this.cached(p.collection, p.id);
        const stored: Stored = { json: cur.json };
        entry = { existed: cur.json !== null, stored, after: null, collection: p.collection, id: p.id };
        overlay.set(w.path, entry);
      }
      entry.after = this.applyOne(entry, w);
    }
    const changes: DocChange[] = [];
    let deleted = false;
    for (const [path, e] of overlay) {
      const version = ++this.seq;
      const created = !e.existed && e.after !== null;
      if (e.after === null) {
        if (!e.existed) continue;
        this.stmts.remove.run(e.collection, e.id);
        this.pending.push([path, null, 0]);
        deleted = true;
      } else {
        const json = JSON.stringify(e.after);
        this.stmts.upsert.run(e.collection, e.id, json, version);
        this.pending.push([path, json, version]);
        const trigger = created ? this.triggerOf(path) : null;
        if (trigger) this.stmts.outbox.run(path, triggerData(trigger, e.after, json));
      }
      changes.push({ path, collection: e.collection, id: e.id, created, after: e.after, version });
    }
    if (deleted) this.stmts.keepSeq.run(String(this.seq));
    return changes;
  }

  /**
   * One write on the overlay entry. A plain replace (create/set without sentinels) already holds a
   * private copy made when the write was prepared and is only serialized from here, so it skips
   * parsing the stored document and applyWrite's second copy.
   */
  private applyOne(entry: { existed: boolean; stored: Stored; after: DocData | null }, w: PreparedWrite): DocData | null {
    const current = (): DocData | null => {
      if (entry.stored.json !== null) {
        entry.after = JSON.parse(entry.stored.json) as DocData;
        entry.stored.json = null;
      }
      return entry.after;
    };
    const exists = entry.stored.json !== null || entry.after !== null;
    if (w.replace !== undefined && w.increments.length === 0 && w.kind !== "update") {
      if (w.kind === "create" && exists) throw new AlreadyExistsError(w.path);
      entry.stored.json = null;
      return w.replace;
    }
    if (w.kind === "delete") {
      entry.stored.json = null;
      return null;
    }
    return applyWrite(current(), w);
  }
}

/**
 * In-memory copy of recently read or written documents (their JSON and version, or "missing"),
 * so reads of the documents a row touches again and again (job, lane, checkpoint results) skip
 * SQLite. Coherent because every write to `documents` goes through the Committer of the one
 * process that owns the file (owner-lock.ts), which updates the cache only after its SQLite
 * transaction succeeded. Bounded by entries and by characters held; documents above the per-entry
 * limit are not kept. Eviction is oldest insertion first (a write or a miss re-inserts). An entry may
 * also keep its document parsed with a schema, so hot readers skip both JSON.parse and validation.
 */

export interface CachedDoc {
  /** The stored JSON, or null when the document is missing. */
  json: string | null;
  /** 0 when missing. */
  version: number;
  /**
   * The data parsed with `schema` at this version, deeply frozen (sqlite-store.ts `getAllParsed`).
   * Dropped with the entry when the document is written.
   */
  parsed?: { schema: unknown; value: unknown };
}

/** Freezes a parsed value and everything in it, so a value handed out more than once stays as read. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

export interface DocCacheLimits {
  maxEntries: number;
  maxChars: number;
  maxEntryChars: number;
}

export const DEFAULT_DOC_CACHE_LIMITS: DocCacheLimits = { maxEntries: 4096, maxChars: 16 * 1024 * 1024, maxEntryChars: 256 * 1024 };

export class DocCache {
  private readonly entries = new Map<string, CachedDoc>();
  private chars = 0;

  constructor(private readonly limits: DocCacheLimits = DEFAULT_DOC_CACHE_LIMITS) {}

  get(path: string): CachedDoc | undefined {
    return this.entries.get(path);
  }

  /** Records what `path` holds now (json null: missing). */
  put(path: string, json: string | null, version: number): void {
    this.remove(path);
    const size = json === null ? 0 : json.length;
    if (size > this.limits.maxEntryChars) return;
    this.entries.set(path, { json, version });
    this.chars += size;
    while (this.entries.size > this.limits.maxEntries || this.chars > this.limits.maxChars) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.remove(oldest.value);
    }
  }

  remove(path: string): void {
    const old = this.entries.get(path);
    if (!old) return;
    this.entries.delete(path);
    this.chars -= old.json === null ? 0 : old.json.length;
  }

  /** Forgets everything (after a rollback the file may hold less than the cache thought). */
  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}

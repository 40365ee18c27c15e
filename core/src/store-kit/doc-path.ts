/**
 * Document and collection path rules shared by every store adapter.
 * Paths alternate collection/doc segments: `batch_jobs` is a collection, `batch_jobs/j1` a doc,
 * `batch_jobs/j1/results` a subcollection. Segments are non-empty, contain no `/`, and are not `.`
 * or `..` (Firestore's rules). Field paths are dotted (`usage.inputTokens`).
 */

export class InvalidPathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`invalid path "${path}": ${reason}`);
    this.name = "InvalidPathError";
  }
}

export interface DocPath {
  /** The full document path, normalized (no leading/trailing slash). */
  path: string;
  /** The collection path the document lives in. */
  collection: string;
  id: string;
}

function splitSegments(path: string): string[] {
  if (typeof path !== "string" || path.length === 0) throw new InvalidPathError(String(path), "empty path");
  const segments = path.split("/");
  for (const s of segments) {
    if (s.length === 0) throw new InvalidPathError(path, "empty segment");
    if (s === "." || s === "..") throw new InvalidPathError(path, `segment "${s}" is not allowed`);
    if (/^__.*__$/.test(s)) throw new InvalidPathError(path, `segment "${s}" is reserved`);
  }
  return segments;
}

/** Parses a document path (even number of segments). */
export function parseDocPath(path: string): DocPath {
  const segments = splitSegments(path);
  if (segments.length % 2 !== 0) throw new InvalidPathError(path, "a document path has an even number of segments");
  const id = segments[segments.length - 1] as string;
  return { path, collection: segments.slice(0, -1).join("/"), id };
}

/** Validates a collection path (odd number of segments) and returns it. */
export function parseCollectionPath(path: string): string {
  const segments = splitSegments(path);
  if (segments.length % 2 !== 1) throw new InvalidPathError(path, "a collection path has an odd number of segments");
  return path;
}

/** `collection` + `id` → document path. */
export function docPath(collection: string, id: string): string {
  return `${collection}/${id}`;
}

/** Splits a dotted field path (`a.b.c`) into segments; every segment must be non-empty. */
export function parseFieldPath(field: string): string[] {
  if (typeof field !== "string" || field.length === 0) throw new InvalidPathError(String(field), "empty field path");
  const segments = field.split(".");
  if (segments.some((s) => s.length === 0)) throw new InvalidPathError(field, "empty field path segment");
  return segments;
}

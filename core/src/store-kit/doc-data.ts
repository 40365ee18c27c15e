/**
 * Document data rules and write application shared by store adapters (memory, SQLite):
 * validation (plain JSON only, with the offending field path in the error), deep copies, and how
 * create / set / set-merge / update / delete turn the current data into the next, Firestore style:
 * - `set` replaces; `set(..., {merge:true})` deep-merges maps (fields not mentioned keep values).
 * - `update` keys are dotted field paths; a value replaces that field wholesale; the doc must exist.
 * - `increment(n)` adds to a numeric field (a missing or non-numeric field becomes `n`);
 *   `deleteField()` removes a field (only at the top level of `update`, anywhere in a merge).
 * - Keys inside values (and in `create`/`set`) are literal names: dots there are not paths.
 */
import { ValidationError } from "../errors";
import { parseDocPath, parseFieldPath } from "./doc-path";
import { AlreadyExistsError, NotFoundError, isDeleteField, isIncrement, type DocData, type Patch } from "../ports/store";

/** Data that Firestore (and so every adapter) would refuse: names the field. */
export class InvalidDataError extends ValidationError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid document data at "${field}": ${reason}`, [{ path: field, message: reason }]);
  }
}

export type WriteOp =
  | { kind: "create"; path: string; data: DocData }
  | { kind: "set"; path: string; data: DocData; merge?: boolean }
  | { kind: "update"; path: string; patch: Patch }
  | { kind: "delete"; path: string };

interface FieldSet {
  segments: string[];
  value: unknown;
}

/** A validated write holding private copies of its values; apply it with `applyWrite`. */
export interface PreparedWrite {
  kind: WriteOp["kind"];
  path: string;
  merge: boolean;
  /** Whole new data for create / set without merge (sentinels removed). */
  replace?: DocData;
  sets: FieldSet[];
  deletes: string[][];
  increments: { segments: string[]; by: number }[];
}

type SentinelMode = "none" | "increment" | "all";

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Firestore reserves field names like `__name__`; rejecting them also keeps `__proto__` out. */
const RESERVED_FIELD = /^__.*__$/;

function checkFieldName(key: string, field: string): void {
  if (RESERVED_FIELD.test(key)) throw new InvalidDataError(field, "field names matching __.*__ are reserved");
}

/**
 * The deepest field path a document may hold (segments, array indexes included). Firestore
 * refuses objects nested deeper than 20 levels, and SQLite's JSON functions fail on the whole
 * collection past 1,000, so no adapter may store a deeper document: every query would break.
 */
export const MAX_FIELD_DEPTH = 20;

function checkDepth(depth: number, field: string): void {
  if (depth > MAX_FIELD_DEPTH) throw new InvalidDataError(field, `is nested more than ${MAX_FIELD_DEPTH} levels deep (the store's limit)`);
}

function label(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return parent === "" ? key : `${parent}.${key}`;
}

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "object" && v !== null) return v.constructor?.name ?? "object";
  return typeof v;
}

/** What `fastClone` answers for a value it would refuse: the labelled copy then names the field. */
const INVALID = Symbol("invalid");

/**
 * The copy `cloneValue` makes, without building field labels (they are needed only in errors):
 * INVALID for anything cloneValue would refuse, and cloneValue then runs again to say why.
 */
function fastClone(value: unknown, inArray: boolean, depth: number): unknown {
  if (depth > MAX_FIELD_DEPTH) return INVALID;
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : INVALID;
  if (Array.isArray(value)) {
    if (inArray) return INVALID;
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) return INVALID; // a hole: the labelled copy keeps it as such
      const c = fastClone(value[i], true, depth + 1);
      if (c === INVALID) return INVALID;
      out[i] = c;
    }
    return out;
  }
  if (!isPlainObject(value) || isIncrement(value) || isDeleteField(value)) return INVALID;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    if (RESERVED_FIELD.test(k)) return INVALID;
    const c = fastClone(value[k], false, depth + 1);
    if (c === INVALID) return INVALID;
    out[k] = c;
  }
  return out;
}

/** Deep-copies a JSON-like value, rejecting what Firestore would (undefined, NaN, Date, nested arrays...). */
export function cloneValue(value: unknown, field: string, inArray = false, depth = 0): unknown {
  const fast = fastClone(value, inArray, depth);
  return fast !== INVALID ? fast : labelledClone(value, field, inArray, depth);
}

/** cloneValue with the field path of every value at hand: throws naming the offending field. */
function labelledClone(value: unknown, field: string, inArray: boolean, depth: number): unknown {
  checkDepth(depth, field);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvalidDataError(field, `${value} is not a finite number`);
    return value;
  }
  if (value === undefined) {
    throw new InvalidDataError(field, "undefined is not allowed (use null, or deleteField() in a patch)");
  }
  if (Array.isArray(value)) {
    if (inArray) throw new InvalidDataError(field, "arrays of arrays are not supported");
    return value.map((item, i) => labelledClone(item, label(field, i), true, depth + 1));
  }
  if (isIncrement(value) || isDeleteField(value)) {
    throw new InvalidDataError(field, `${value.__op}() is not allowed here`);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      checkFieldName(k, label(field, k));
      out[k] = labelledClone(v, label(field, k), false, depth + 1);
    }
    return out;
  }
  throw new InvalidDataError(field, `unsupported value of type ${describe(value)} (plain JSON only)`);
}

/** Fast deep copy of data already known to be valid (no checks). */
export function cloneData<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => cloneData(v)) as T;
  const out: Record<string, unknown> = {};
  for (const k in value) out[k] = cloneData((value as Record<string, unknown>)[k]);
  return out as T;
}

/** Validates document data for create/set and returns a private copy. */
export function validateDocData(data: unknown, field = ""): DocData {
  if (!isPlainObject(data)) throw new InvalidDataError(field || "(document)", "document data must be a plain object");
  return cloneValue(data, field) as DocData;
}

/**
 * Copies an object that may hold sentinels: increments (and deletes, in "all" mode) are pulled out
 * into `w` with their full segment paths; the returned object holds only plain values.
 */
function extractSentinels(obj: Record<string, unknown>, prefix: string[], mode: SentinelMode, w: PreparedWrite): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const depth = prefix.length + 1;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    // The field's segments and dotted name are built only where they are kept or reported.
    const name = (): string => [...prefix, k].join(".");
    if (RESERVED_FIELD.test(k)) checkFieldName(k, name());
    if (depth > MAX_FIELD_DEPTH) checkDepth(depth, name());
    if (isIncrement(v) && mode !== "none") {
      w.increments.push({ segments: [...prefix, k], by: checkIncrement(v.by, name()) });
    } else if (isDeleteField(v) && mode === "all") {
      w.deletes.push([...prefix, k]);
    } else if (isPlainObject(v) && !isIncrement(v) && !isDeleteField(v)) {
      out[k] = extractSentinels(v, [...prefix, k], mode, w);
    } else {
      const fast = fastClone(v, false, depth);
      out[k] = fast !== INVALID ? fast : labelledClone(v, name(), false, depth);
    }
  }
  return out;
}

function checkIncrement(by: unknown, field: string): number {
  if (typeof by !== "number" || !Number.isFinite(by)) {
    throw new InvalidDataError(field, "increment() needs a finite number");
  }
  return by;
}

/** Merge: every leaf of `obj` (non-map value, or empty map) becomes one field set. */
function collectMergeLeaves(obj: Record<string, unknown>, prefix: string[], w: PreparedWrite): void {
  for (const [k, v] of Object.entries(obj)) {
    const segments = [...prefix, k];
    checkFieldName(k, segments.join("."));
    checkDepth(segments.length, segments.join("."));
    if (isIncrement(v)) w.increments.push({ segments, by: checkIncrement(v.by, segments.join(".")) });
    else if (isDeleteField(v)) w.deletes.push(segments);
    else if (isPlainObject(v) && Object.keys(v).length > 0) collectMergeLeaves(v, segments, w);
    else w.sets.push({ segments, value: cloneValue(v, segments.join("."), false, segments.length) });
  }
}

function prepareUpdate(patch: Patch, w: PreparedWrite): void {
  if (!isPlainObject(patch)) throw new InvalidDataError("(patch)", "a patch must be a plain object");
  const keys = Object.keys(patch);
  if (keys.length === 0) throw new InvalidDataError("(patch)", "a patch must update at least one field");
  const seen: string[] = [];
  for (const key of keys) {
    const segments = parseFieldPath(key);
    for (const seg of segments) checkFieldName(seg, key);
    checkDepth(segments.length, key);
    for (const other of seen) {
      if (other === key || other.startsWith(`${key}.`) || key.startsWith(`${other}.`)) {
        throw new InvalidDataError(key, `conflicts with field path "${other}" in the same patch`);
      }
    }
    seen.push(key);
    const v = patch[key];
    if (isIncrement(v)) w.increments.push({ segments, by: checkIncrement(v.by, key) });
    else if (isDeleteField(v)) w.deletes.push(segments);
    else if (isPlainObject(v)) w.sets.push({ segments, value: extractSentinels(v, segments, "increment", w) });
    else w.sets.push({ segments, value: cloneValue(v, key, false, segments.length) });
  }
}

/** Validates a write when it is issued (so the error points at the caller) and copies its values. */
export function prepareWrite(op: WriteOp): PreparedWrite {
  parseDocPath(op.path);
  const w: PreparedWrite = { kind: op.kind, path: op.path, merge: false, sets: [], deletes: [], increments: [] };
  switch (op.kind) {
    case "delete":
      return w;
    case "update":
      prepareUpdate(op.patch, w);
      return w;
    case "create":
    case "set": {
      if (!isPlainObject(op.data)) throw new InvalidDataError("(document)", "document data must be a plain object");
      w.merge = op.kind === "set" && op.merge === true;
      if (w.merge) collectMergeLeaves(op.data, [], w);
      else w.replace = extractSentinels(op.data, [], "increment", w);
      return w;
    }
  }
}

export function getAt(data: unknown, segments: readonly string[]): { found: boolean; value: unknown } {
  let cur: unknown = data;
  for (const s of segments) {
    if (!isPlainObject(cur) || !Object.prototype.hasOwnProperty.call(cur, s)) return { found: false, value: undefined };
    cur = cur[s];
  }
  return { found: true, value: cur };
}

function setAt(data: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let cur = data;
  for (let i = 0; i < segments.length - 1; i++) {
    const s = segments[i] as string;
    const next = cur[s];
    if (isPlainObject(next)) cur = next;
    else cur = cur[s] = {};
  }
  cur[segments[segments.length - 1] as string] = value;
}

function deleteAt(data: Record<string, unknown>, segments: readonly string[]): void {
  const parent = getAt(data, segments.slice(0, -1));
  if (parent.found && isPlainObject(parent.value)) delete parent.value[segments[segments.length - 1] as string];
}

/**
 * The data after `w` is applied to `current` (null = missing), or null after a delete. Throws
 * AlreadyExistsError / NotFoundError for failed preconditions. `current` is never mutated.
 */
export function applyWrite(current: DocData | null, w: PreparedWrite): DocData | null {
  if (w.kind === "delete") return null;
  if (w.kind === "create" && current !== null) throw new AlreadyExistsError(w.path);
  if (w.kind === "update" && current === null) throw new NotFoundError(w.path);
  let next: DocData;
  if (w.replace !== undefined) {
    next = cloneData(w.replace);
  } else {
    next = current === null ? {} : cloneData(current);
    for (const s of w.sets) setAt(next, s.segments, cloneData(s.value));
    for (const d of w.deletes) deleteAt(next, d);
  }
  for (const inc of w.increments) {
    const cur = getAt(next, inc.segments);
    setAt(next, inc.segments, cur.found && typeof cur.value === "number" ? cur.value + inc.by : inc.by);
  }
  return next;
}

function valueSize(v: unknown): number {
  if (v === null || typeof v === "boolean") return 1;
  if (typeof v === "number") return 8;
  if (typeof v === "string") return Buffer.byteLength(v, "utf8") + 1;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueSize(x), 0);
  let n = 0;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) n += Buffer.byteLength(k, "utf8") + 1 + valueSize(x);
  return n;
}

/** Firestore's storage-size formula for a document (name + fields + 32 bytes); limit is 1 MiB. */
export function documentSize(path: string, data: DocData): number {
  const name = path.split("/").reduce((n, s) => n + Buffer.byteLength(s, "utf8") + 1, 16);
  return name + valueSize(data) + 32;
}

export const MAX_DOCUMENT_BYTES = 1_048_576;

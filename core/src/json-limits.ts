/**
 * What JSON from outside (a flow, a row, a model's JSON answer) may contain before anything
 * stores it. Checked at the boundary, so a bad value is refused with its path instead of being
 * written and then breaking every later read:
 * - depth: at most `MAX_JSON_DEPTH` levels. Firestore refuses documents nested deeper than 20
 *   levels, and SQLite's JSON functions give up past 1,000, so one over-deep document would make
 *   its whole collection unreadable. A flow is stored inside the job document and a JSON answer
 *   inside the result document, a few levels down, so both get 16;
 * - keys: `__proto__`, `constructor` and `prototype` are refused (copying them into an object can
 *   change its prototype, and schema parsers drop `__proto__` silently), and so is any key like
 *   `__name__` (Firestore reserves them);
 * - arrays directly inside arrays, when the value is stored as is (Firestore cannot hold them).
 * Depth counts the steps of the longest key path: `nodes[0].data.a.b` is 5 levels.
 */
import type { ErrorDetail } from "./errors";

export const MAX_JSON_DEPTH = 16;

const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const STORE_RESERVED = /^__.*__$/;

/** Why `key` may not be used as an object key (or column name), or null when it is fine. */
export function reservedKeyProblem(key: string): string | null {
  if (PROTOTYPE_KEYS.has(key)) return `"${key}" is a reserved name; rename it`;
  if (STORE_RESERVED.test(key)) return `"${key}" is a reserved name (names that start and end with "__" are); rename it`;
  return null;
}

export interface JsonTreeOptions {
  /** Path of `value` itself, e.g. `nodes[0].data`; "" for the root. */
  path?: string;
  maxDepth?: number;
  /** Whether arrays may hold arrays (false when the value is stored as is). */
  nestedArrays?: boolean;
  /** Only keys matching this are refused (default: every reserved key, see `reservedKeyProblem`). */
  reservedKeys?: RegExp;
  /** Stop after this many problems (default 20). */
  maxProblems?: number;
}

const childPath = (parent: string, key: string | number): string => (typeof key === "number" ? `${parent}[${key}]` : parent === "" ? key : `${parent}.${key}`);

/**
 * Appends a problem for every over-deep branch, reserved key and (unless allowed) nested array
 * in `value`. Never descends past the depth limit, so a hostile value cannot exhaust the stack.
 */
export function checkJsonTree(value: unknown, problems: ErrorDetail[], opts: JsonTreeOptions = {}): void {
  const maxDepth = opts.maxDepth ?? MAX_JSON_DEPTH;
  const cap = problems.length + (opts.maxProblems ?? 20);
  const walk = (v: unknown, path: string, depth: number, inArray: boolean): void => {
    if (typeof v !== "object" || v === null || problems.length >= cap) return;
    if (depth >= maxDepth) {
      if (Object.keys(v).length > 0) problems.push({ path: path || "(root)", message: `is nested more than ${maxDepth} levels deep; flatten it` });
      return;
    }
    if (Array.isArray(v)) {
      if (inArray && opts.nestedArrays !== true) {
        problems.push({ path, message: "arrays directly inside arrays cannot be stored; wrap the inner array in an object" });
        return;
      }
      v.forEach((item, i) => walk(item, childPath(path, i), depth + 1, true));
      return;
    }
    for (const key of Object.keys(v)) {
      const here = childPath(path, key);
      const bad = opts.reservedKeys ? (opts.reservedKeys.test(key) ? `"${key}" is a reserved name` : null) : reservedKeyProblem(key);
      if (bad) problems.push({ path: here, message: bad });
      else walk((v as Record<string, unknown>)[key], here, depth + 1, false);
    }
  };
  walk(value, opts.path ?? "", 0, false);
}

/** The first problem `checkJsonTree` finds, or null. */
export function firstJsonProblem(value: unknown, opts: JsonTreeOptions = {}): ErrorDetail | null {
  const problems: ErrorDetail[] = [];
  checkJsonTree(value, problems, { ...opts, maxProblems: 1 });
  return problems[0] ?? null;
}

/**
 * The path (`rows[0].__proto__`) to an own key named `key` anywhere in `value`, or null. Iterative
 * and bounded: past `maxDepth` levels it stops looking, so a hostile value costs little.
 */
export function findKeyPath(value: unknown, key: string, maxDepth = 64): string | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v !== "object" || v === null || depth > maxDepth) continue;
    if (!Array.isArray(v) && Object.hasOwn(v, key)) return childPath(path, key);
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: childPath(path, i), depth: depth + 1 }));
    else for (const [k, item] of Object.entries(v)) stack.push({ v: item, path: childPath(path, k), depth: depth + 1 });
  }
  return null;
}

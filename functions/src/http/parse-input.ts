/**
 * Callable input parsing: zod at the edge, failures become a ValidationError whose details name
 * the field (and row) in the same `rows[14].title` form the core uses.
 */
import type { z } from "zod";
import { ValidationError, findKeyPath, type ErrorDetail } from "@flowcraft/core";

export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  // zod drops a `__proto__` key without a word (and copying one replaces an object's prototype):
  // refuse it here, naming where, before the schema sees the data.
  const proto = findKeyPath(data, "__proto__");
  if (proto !== null) throw new ValidationError("The request is not valid", [{ path: proto, message: '"__proto__" is a reserved name; rename it' }]);
  const parsed = schema.safeParse(withoutNulls(data ?? {}));
  if (parsed.success) return parsed.data;
  const details: ErrorDetail[] = parsed.error.issues.slice(0, 50).map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  throw new ValidationError("The request is not valid", details);
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(request)" : out;
}

/**
 * The callable client encodes `undefined` fields as `null`: a top-level null counts as absent, so
 * `{ name: undefined }` from a browser means "no name" rather than a type error.
 */
function withoutNulls(data: unknown): unknown {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== null));
}

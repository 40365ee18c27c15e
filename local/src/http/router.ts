/**
 * A tiny method + path router: patterns like `/api/batches/:id/run`, `*` at the end captures the
 * rest (`/api/media/*`). Enough for a dozen routes without a framework. Params arrive decoded;
 * one that is not valid percent-encoding matches its route and is answered 400 naming it (never
 * "no such route", never a thrown URIError).
 */
import { ValidationError } from "@flowcraft/core";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  url: URL;
}

export type RouteHandler = (ctx: RouteContext) => Promise<void>;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  /** The handler and params for a request, `"method"` when only the method is wrong, or null. */
  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string> } | "method" | null {
    const parts = pathname.split("/").filter(Boolean);
    let methodMismatch = false;
    for (const r of this.routes) {
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      if (r.method !== method) {
        methodMismatch = true;
        continue;
      }
      const bad = Object.keys(params).find((k) => params[k] === undefined);
      return bad === undefined ? { handler: r.handler, params: params as Record<string, string> } : { handler: badParam(bad), params: {} };
    }
    return methodMismatch ? "method" : null;
  }
}

/** Params by name; a param whose percent-encoding is broken is present but undefined. */
function matchSegments(pattern: string[], parts: string[]): Record<string, string | undefined> | null {
  const params: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    if (p === "*") {
      const rest = parts.slice(i).map(decode);
      params["*"] = rest.includes(undefined) ? undefined : rest.join("/");
      return parts.length > i ? params : null;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (p.startsWith(":")) params[p.slice(1)] = decode(part);
    else if (p !== part) return null;
  }
  return parts.length === pattern.length ? params : null;
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function badParam(name: string): RouteHandler {
  const path = name === "*" ? "path" : name;
  const error = new ValidationError(`The ${path} in the URL is not valid percent-encoding`, [
    { path, message: "is not valid percent-encoding (a % must be followed by two hex digits of UTF-8)" },
  ]);
  return () => Promise.reject(error);
}

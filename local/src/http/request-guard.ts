/**
 * Keeps other web pages out of the local API. Binding 127.0.0.1 stops other machines, but any
 * page open in the user's browser can still send requests to it: a cross-origin POST would spend
 * the user's Gemini quota or cancel batches, and a DNS-rebinding page reaches us under a foreign
 * `Host`. Loopback is no proof of trust either: another local app's page (`localhost:3000`) is a
 * different origin. So a request with an `Origin` must come from this server's own origin (the
 * origin it was addressed to: `http://` + its `Host`, which also covers a dev server that proxies
 * to us and keeps the browser's `Host`), or from an origin the user listed (`--allow-origin`,
 * `FLOWCRAFT_ALLOW_ORIGINS`); listed origins also get CORS headers. Tools that send no `Origin`
 * (curl, the CLI, tests) pass.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/** `scheme://host[:port]` in the URL standard's form, or null when `raw` is not such an origin. */
export function normalizeOrigin(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  // Only what an Origin header can hold: "http://a/b" or "http://a/?x" are not origins.
  const bare = u.pathname === "/" && u.search === "" && u.hash === "" && u.username === "" && u.password === "";
  return bare && (u.protocol === "http:" || u.protocol === "https:") ? u.origin : null;
}

export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  /** `allowed`: origins listed by the user, already normalized. */
  constructor(allowed: Iterable<string> = []) {
    this.allowed = new Set(allowed);
  }

  /** Why the request is refused, or null when it may proceed. */
  refusal(req: IncomingMessage): string | null {
    const host = req.headers.host;
    if (host !== undefined && !LOOPBACK_HOST.test(host)) return "This server only answers requests addressed to 127.0.0.1 or localhost";
    const origin = req.headers.origin;
    if (origin === undefined || this.isOwn(origin, host) || this.isListed(origin)) return null;
    // An opaque origin ("null": sandboxed frames, file: pages) is refused too.
    return "Requests from other web pages are not allowed; list the page's origin with --allow-origin or FLOWCRAFT_ALLOW_ORIGINS";
  }

  /** CORS headers for a listed origin (none for the server's own pages, which need none). */
  applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    res.setHeader("vary", "Origin");
    if (origin === undefined || this.isOwn(origin, req.headers.host) || !this.isListed(origin)) return;
    res.setHeader("access-control-allow-origin", origin);
    if (req.method === "OPTIONS") {
      res.setHeader("access-control-allow-methods", "GET, POST, PATCH, PUT, DELETE");
      res.setHeader("access-control-allow-headers", "content-type, last-event-id");
      res.setHeader("access-control-max-age", "600");
    }
  }

  private isOwn(origin: string, host: string | undefined): boolean {
    const own = host === undefined ? null : normalizeOrigin(`http://${host}`);
    return own !== null && normalizeOrigin(origin) === own;
  }

  private isListed(origin: string): boolean {
    const normalized = normalizeOrigin(origin);
    return normalized !== null && this.allowed.has(normalized);
  }
}

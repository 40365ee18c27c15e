/**
 * Keeps other websites out of the local API. Binding 127.0.0.1 stops other machines, but a page
 * open in the user's browser can still send requests to it: a cross-site POST (it would spend the
 * user's Gemini quota or cancel batches) carries a foreign `Origin`, and a DNS-rebinding page
 * reaches us under a foreign `Host`. Both are refused; tools without those headers (curl, the CLI,
 * tests) and the app itself (served from, or proxied to, a loopback address) pass.
 */
import type { IncomingMessage } from "node:http";

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

function loopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === "http:" || u.protocol === "https:") && LOOPBACK_HOST.test(u.host);
  } catch {
    return false;
  }
}

/** Why the request is refused, or null when it may proceed. */
export function refusal(req: IncomingMessage): string | null {
  const host = req.headers.host;
  if (host !== undefined && !LOOPBACK_HOST.test(host)) return "This server only answers requests addressed to 127.0.0.1 or localhost";
  const origin = req.headers.origin;
  // An opaque origin ("null", sandboxed frames) is not a URL, so it is refused too.
  if (origin !== undefined && !loopbackOrigin(origin)) return "Requests from other websites are not allowed";
  return null;
}

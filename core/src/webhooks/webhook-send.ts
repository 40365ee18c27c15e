/**
 * One HTTP POST of a webhook, never following a redirect (a 3xx is a failed attempt: a redirect
 * could lead a deployed host to an address it refuses). With `address` the connection goes to that
 * address, the one the host check approved, while TLS and the Host header keep the URL's name (no
 * second lookup a rebinding name could answer differently), on a connection of its own (never a
 * pooled one). Answers the status, or "timeout" /
 * "network error"; never throws.
 */
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Connect here instead of looking the host up again (null: as the URL says). */
  address: string | null;
  timeoutMs: number;
}

export type SendOutcome = { status: number } | { failure: "timeout" | "network error" };

/** Sends with node:http(s) (the default). */
export function sendWebhook(req: WebhookRequest): Promise<SendOutcome> {
  const url = new URL(req.url);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const r = client.request(
      url,
      {
        method: "POST",
        headers: { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) },
        // A fresh connection per attempt: a pooled socket (keyed by name and port, not by the
        // address it reached) would skip the pin below and carry an earlier answer's address.
        agent: false,
        ...(req.address ? { lookup: pinned(req.address) } : {}),
      },
      (res) => {
        clearTimeout(timer);
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      },
    );
    // The whole attempt, connect included, gets `timeoutMs` (a socket idle timeout would not bound it).
    const timer = setTimeout(() => {
      resolve({ failure: "timeout" });
      r.destroy();
    }, req.timeoutMs);
    r.on("error", () => {
      clearTimeout(timer);
      resolve({ failure: "network error" });
    });
    r.end(req.body);
  });
}

/** A lookup that answers `address` whatever the name (both callback forms net.connect uses). */
function pinned(address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  return ((_host: string, opts: { all?: boolean }, cb: (err: Error | null, a: unknown, f?: number) => void) => {
    if (opts.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as LookupFunction;
}

/** Sends through a fetch function (tests inject one): `redirect: "manual"`, the address is not pinned. */
export async function sendWithFetch(send: typeof fetch, req: WebhookRequest): Promise<SendOutcome> {
  try {
    const res = await send(req.url, { method: "POST", headers: req.headers, body: req.body, redirect: "manual", signal: AbortSignal.timeout(req.timeoutMs) });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  } catch (err) {
    return { failure: (err as { name?: string }).name === "TimeoutError" ? "timeout" : "network error" };
  }
}

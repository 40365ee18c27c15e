/**
 * Where a deployed host's webhooks may not go (server-side request forgery): loopback, RFC 1918
 * private networks, link-local (169.254/16, which holds the cloud metadata server, and fe80::/10),
 * unique-local (fc00::/7), carrier-grade NAT (100.64/10), "this network" (0/8), multicast and
 * reserved ranges, and the metadata server's host names. A literal address is refused when the URL
 * is given; a host name is resolved before every attempt and refused when ANY of its addresses is
 * blocked (so a name cannot pick a good answer for the check and a bad one for the request: the
 * request then goes to the address that was checked, see webhook-send.ts).
 */
import { isIP } from "node:net";

/** Host names of the metadata server (Google Cloud); compared without a trailing dot, lower case. */
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "metadata.goog"]);

type Range = readonly [base: bigint, prefix: number, name: string];

const V4: readonly Range[] = [
  [v4("0.0.0.0"), 8, "this-network"],
  [v4("10.0.0.0"), 8, "private (RFC 1918)"],
  [v4("100.64.0.0"), 10, "carrier-grade NAT"],
  [v4("127.0.0.0"), 8, "loopback"],
  [v4("169.254.0.0"), 16, "link-local"],
  [v4("172.16.0.0"), 12, "private (RFC 1918)"],
  [v4("192.0.0.0"), 24, "IETF protocol assignments"],
  [v4("192.168.0.0"), 16, "private (RFC 1918)"],
  [v4("198.18.0.0"), 15, "benchmarking"],
  [v4("224.0.0.0"), 4, "multicast"],
  [v4("240.0.0.0"), 4, "reserved"],
];

const V6: readonly Range[] = [
  [0n, 128, "unspecified"],
  [1n, 128, "loopback"],
  [v6("fc00::"), 7, "unique-local"],
  [v6("fe80::"), 10, "link-local"],
  [v6("ff00::"), 8, "multicast"],
];

function v4(ip: string): bigint {
  return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** An IPv6 address as a 128-bit number (accepts `::` shortening and a dotted IPv4 tail). */
function v6(ip: string): bigint {
  let text = ip.toLowerCase().split("%")[0] ?? "";
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (tail?.[1]) {
    const n = v4(tail[1]);
    text = `${text.slice(0, -tail[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

const inRange = (n: bigint, bits: number, [base, prefix]: Range): boolean => n >> BigInt(bits - prefix) === base >> BigInt(bits - prefix);

/** Why `ip` (a literal IPv4 or IPv6 address) may not receive webhooks, or null when it is public. */
export function blockedAddress(ip: string): string | null {
  const bare = ip.replace(/^\[|\]$/g, "");
  const family = isIP(bare.split("%")[0] ?? "");
  if (family === 4) return V4.find((r) => inRange(v4(bare), 32, r))?.[2] ?? null;
  if (family !== 6) return null;
  const n = v6(bare);
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::/96) carry an IPv4 address: judge that one.
  if (n >> 32n === 0xffffn || n >> 32n === v6("64:ff9b::") >> 32n) {
    const inner = n & 0xffffffffn;
    return V4.find((r) => inRange(inner, 32, r))?.[2] ?? null;
  }
  return V6.find((r) => inRange(n, 128, r))?.[2] ?? null;
}

/** True for a host name (not an address) that names the metadata server. */
export function isMetadataHost(hostname: string): boolean {
  return METADATA_HOSTS.has(hostname.toLowerCase().replace(/\.$/, ""));
}

/** True for a literal loopback address or `localhost` (allowed where the host allows loopback). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost") || blockedAddress(h) === "loopback";
}

/** Why the URL's host, before any lookup, may not receive webhooks on a deployed host (null: look it up). */
export function blockedHost(hostname: string, allowLoopback: boolean): string | null {
  if (allowLoopback && isLoopbackHost(hostname)) return null;
  if (isMetadataHost(hostname)) return "metadata server";
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return "loopback";
  return blockedAddress(h);
}

/** Resolves a host name to every address it has (the default: the system resolver). */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) => {
  const { lookup } = await import("node:dns/promises");
  return (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);
};

/** The address a delivery connects to, or why none may be used. */
export type AddressCheck = { ok: true; address: string | null } | { ok: false; reason: string };

/**
 * Checks the URL's host for a deployed host: a literal address is judged as it is; a name is
 * resolved and every address judged. `address` is the one to connect to (null: a literal, or a
 * loopback host the host allows, which is used as written).
 */
export async function checkWebhookHost(hostname: string, opts: { allowLoopback: boolean; resolve: HostResolver }): Promise<AddressCheck> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const early = blockedHost(bare, opts.allowLoopback);
  if (early) return { ok: false, reason: `the host is a private or internal address (${early})` };
  if (isIP(bare) !== 0 || (opts.allowLoopback && isLoopbackHost(bare))) return { ok: true, address: null };
  let addresses: string[];
  try {
    addresses = await opts.resolve(bare);
  } catch {
    return { ok: false, reason: "the host name does not resolve" };
  }
  if (addresses.length === 0) return { ok: false, reason: "the host name does not resolve" };
  for (const a of addresses) {
    const why = opts.allowLoopback && blockedAddress(a) === "loopback" ? null : blockedAddress(a);
    if (why) return { ok: false, reason: `the host resolves to a ${why} address (${a})` };
  }
  return { ok: true, address: addresses[0] ?? null };
}

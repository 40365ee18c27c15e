/**
 * Which webhook URLs a batch may carry: https only, plus http or https on a loopback host
 * (127.0.0.0/8, ::1, localhost) where the host allows it (the local host and tests). Plain http
 * elsewhere would send the signed body in clear text; other schemes are never fetched. A deployed
 * host (`blockPrivate`) also refuses a literal private, link-local, unique-local, CGNAT or
 * metadata address here; host names are resolved and checked before each attempt
 * (webhook-address.ts).
 */
import { blockedHost, isLoopbackHost } from "./webhook-address";

const MAX_URL_LENGTH = 2048;

/** Null when `raw` is acceptable, else what is wrong with it (a message that says what would do). */
export function webhookUrlProblem(raw: string, allowLoopback: boolean, blockPrivate = false): string | null {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL such as https://example.com/hooks/flowcraft";
  }
  if (url.username || url.password) return "must not carry a user name or password";
  const loopback = isLoopbackHost(url.hostname);
  const blocked = blockPrivate && !loopback ? blockedHost(url.hostname, allowLoopback) : null;
  if (blocked) return `must not point at a private or internal address (${blocked}): use a public host name`;
  if (url.protocol === "https:" && (!loopback || allowLoopback)) return null;
  if (url.protocol === "http:" && loopback && allowLoopback) return null;
  return allowLoopback
    ? "must use https (http is allowed only for a loopback address such as http://127.0.0.1:9000/hook)"
    : "must use https and a public host name (loopback addresses are allowed only on the local host)";
}

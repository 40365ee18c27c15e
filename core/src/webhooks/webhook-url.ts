/**
 * Which webhook URLs a batch may carry: https only, plus http or https on a loopback host
 * (127.0.0.0/8, ::1, localhost) where the host allows it (the local host and tests). Plain http
 * elsewhere would send the signed body in clear text; other schemes are never fetched.
 */
const MAX_URL_LENGTH = 2048;

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Null when `raw` is acceptable, else what is wrong with it (a message that says what would do). */
export function webhookUrlProblem(raw: string, allowLoopback: boolean): string | null {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute URL such as https://example.com/hooks/flowcraft";
  }
  if (url.username || url.password) return "must not carry a user name or password";
  const loopback = isLoopback(url.hostname);
  if (url.protocol === "https:" && (!loopback || allowLoopback)) return null;
  if (url.protocol === "http:" && loopback && allowLoopback) return null;
  return allowLoopback
    ? "must use https (http is allowed only for a loopback address such as http://127.0.0.1:9000/hook)"
    : "must use https and a public host name (loopback addresses are allowed only on the local host)";
}

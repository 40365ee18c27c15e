/**
 * Secret scrubbing for any provider text we might show or log. Provider messages are untrusted:
 * a proxy or an error body can echo a request URL (`?key=...`) or the key itself.
 */

const PATTERNS: RegExp[] = [
  /AIza[0-9A-Za-z_-]{8,}/g, // Google API keys
  /ya29\.[0-9A-Za-z_.-]+/g, // OAuth access tokens
  /([?&\s"']|^)(key|api_key|apikey|access_token)=[^&\s"']+/gi,
  /(x-goog-api-key|authorization)["']?\s*[:=]\s*["']?(?:bearer\s+)?[^\s"',}]+/gi,
];

/** Replaces anything that looks like a credential, and each given secret verbatim, by `[redacted]`. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match: string, lead?: string, name?: string) => {
      if (typeof name === "string" && typeof lead === "string" && match.includes("=")) {
        return `${lead}${name}=[redacted]`;
      }
      return "[redacted]";
    });
  }
  return out;
}

/** Scrubbed, single-line, length-capped provider text, safe to put in an error message. */
export function safeProviderText(text: string | undefined, secrets: readonly (string | undefined)[], max = 200): string {
  if (!text) return "";
  const oneLine = scrubSecrets(text, secrets).replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

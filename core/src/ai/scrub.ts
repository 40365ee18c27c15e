/**
 * Secret scrubbing for any provider text we might show or log. Provider messages are untrusted:
 * a proxy or an error body can echo a request URL (`?key=...`) or the key itself, also encoded
 * (an error body that quotes the request in base64, a URL-encoded query, a hex dump). So each
 * known secret is removed verbatim and in its common encodings (base64, base64url, URL-encoding,
 * hex), and encoded-looking tokens are decoded and dropped whole when the plain text inside
 * holds a credential.
 */

const PATTERNS: RegExp[] = [
  /AIza[0-9A-Za-z_-]{8,}/g, // Google API keys
  /ya29\.[0-9A-Za-z_.-]+/g, // OAuth access tokens
  /([?&\s"']|^)(key|api_key|apikey|access_token)=[^&\s"']+/gi,
  /(x-goog-api-key|authorization)["']?\s*[:=]\s*["']?(?:bearer\s+)?[^\s"',}]+/gi,
];

const REDACTED = "[redacted]";

/** Replaces anything that looks like a credential, and each given secret verbatim, by `[redacted]`. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of secretForms(secret)) out = out.split(form).join(REDACTED);
  }
  out = scrubEncodedTokens(out, secrets);
  return scrubPatterns(out);
}

function scrubPatterns(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (match: string, lead?: string, name?: string) => {
      if (typeof name === "string" && typeof lead === "string" && match.includes("=")) return `${lead}${name}=${REDACTED}`;
      return REDACTED;
    });
  }
  return out;
}

/** Whether `plain` holds a credential (a known secret or a pattern match). */
function holdsSecret(plain: string, secrets: readonly (string | undefined)[]): boolean {
  if (secrets.some((s) => s && s.length >= 4 && plain.includes(s))) return true;
  return scrubPatterns(plain) !== plain;
}

const utf8 = new TextEncoder();
const toBinary = (bytes: Uint8Array): string => Array.from(bytes, (b) => String.fromCharCode(b)).join("");
const base64 = (bytes: Uint8Array): string => btoa(toBinary(bytes));
const toUrl = (b64: string): string => b64.replace(/\+/g, "-").replace(/\//g, "_");

/**
 * The secret verbatim, URL-encoded, hex (both cases), and the part of its base64 / base64url text
 * that is the same wherever it sits in a longer encoded blob (one form per byte alignment).
 */
function secretForms(secret: string): string[] {
  const bytes = utf8.encode(secret);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const forms = new Set([secret, encodeURIComponent(secret), hex, hex.toUpperCase()]);
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    // Drop the characters that also encode the bytes before and after the secret.
    const head = shift === 0 ? 0 : Math.ceil((shift * 4) / 3);
    const full = Math.floor(padded.length / 3) * 4;
    const core = base64(padded).slice(head, full);
    if (core.length >= 8) {
      forms.add(core);
      forms.add(toUrl(core));
    }
  }
  forms.delete("");
  return [...forms];
}

/** Base64/base64url, hex and percent-encoded tokens long enough to hide a key. */
const ENCODED_TOKEN = /[A-Za-z0-9+/_-]{16,}={0,2}|(?:[A-Za-z0-9._~+-]*%[0-9A-Fa-f]{2})+[A-Za-z0-9._~+-]*/g;

function scrubEncodedTokens(text: string, secrets: readonly (string | undefined)[]): string {
  return text.replace(ENCODED_TOKEN, (token) => (decodings(token).some((plain) => holdsSecret(plain, secrets)) ? REDACTED : token));
}

/** Every plain text `token` may stand for (none when it decodes to nothing readable). */
function decodings(token: string): string[] {
  const out: string[] = [];
  if (token.includes("%")) {
    try {
      out.push(decodeURIComponent(token));
    } catch {
      // Not URL-encoding after all.
    }
  }
  if (/^[0-9a-fA-F]+$/.test(token) && token.length % 2 === 0) {
    out.push(toBinary(Uint8Array.from(token.match(/../g) ?? [], (h) => parseInt(h, 16))));
  }
  const b64 = token.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (/^[A-Za-z0-9+/]+$/.test(b64) && b64.length % 4 !== 1) {
    try {
      out.push(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
    } catch {
      // Not base64 after all.
    }
  }
  return out;
}

/** Scrubbed, single-line, length-capped provider text, safe to put in an error message. */
export function safeProviderText(text: string | undefined, secrets: readonly (string | undefined)[], max = 200): string {
  if (!text) return "";
  const oneLine = scrubSecrets(text, secrets).replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/**
 * Money as people read it: `$12.34` from a dollar up, `$0.0123` below, and small amounts with
 * enough digits to show three significant ones (`$0.00000531`) rather than a misleading `$0.00`.
 * Pure and browser-safe (the web app imports it).
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return "$0.00";
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  const decimals = Math.min(12, Math.max(4, 2 - Math.floor(Math.log10(usd))));
  const text = usd.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, "$1");
  return `$${text}`;
}

/**
 * An amount people typed in US dollars ("2.50", "$0.25", ".5", "1e-3"): a plain decimal, so
 * "0x10" or "0b1" (which `Number` would read as 16 and 1) are refused. Null unless finite and above 0.
 */
export function parseUsd(text: string): number | null {
  const t = text.trim().replace(/^\$/, "");
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  const usd = Number(t);
  return Number.isFinite(usd) && usd > 0 ? usd : null;
}

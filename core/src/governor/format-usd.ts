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

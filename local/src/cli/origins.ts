/**
 * The origins `serve` lets call its API besides its own: `--allow-origin` (repeatable, or a
 * comma list) plus `FLOWCRAFT_ALLOW_ORIGINS` (a comma list). Each must be a plain
 * `scheme://host[:port]`; anything else is a usage error rather than a silently ignored entry.
 */
import { normalizeOrigin } from "../http/request-guard";
import { UsageError, type ParsedArgs } from "./args";

export function allowedOrigins(options: ParsedArgs["options"], env: NodeJS.ProcessEnv): string[] {
  const flag = options["allow-origin"];
  const raw = [typeof flag === "string" ? flag : "", env.FLOWCRAFT_ALLOW_ORIGINS ?? ""].join(",");
  const out = new Set<string>();
  for (const entry of raw.split(",").map((e) => e.trim())) {
    if (entry === "") continue;
    const origin = normalizeOrigin(entry);
    if (origin === null) throw new UsageError(`allowed origin "${entry}" is not an origin like http://localhost:3000 (scheme, host and port only)`);
    out.add(origin);
  }
  return [...out];
}

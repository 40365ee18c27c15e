/**
 * Export options as a download names them: query parameters `columns=nodes`, `spread=json` and
 * `bom=1` (the CLI's `--columns nodes`, `--spread json`, `--bom` map onto the same object). One
 * schema for every host, so a typo is refused with its name instead of silently ignored.
 */
import { z } from "zod";
import { ValidationError } from "../errors";
import type { ExportFormat, ExportOptions } from "./export-records";

export const ExportQuery = z.strictObject({
  columns: z.enum(["results", "nodes"], { error: "columns must be results (the default) or nodes" }).optional(),
  spread: z.enum(["none", "json"], { error: "spread must be none (the default) or json" }).optional(),
  bom: z.enum(["0", "1"], { error: "bom must be 0 or 1" }).optional(),
});
export type ExportQuery = z.infer<typeof ExportQuery>;

/** The options of a parsed query; a BOM belongs to CSV only. */
export function exportOptionsOf(q: ExportQuery, format: ExportFormat): ExportOptions {
  if (q.bom === "1" && format !== "csv")
    throw new ValidationError("bom applies to CSV only", [{ path: "bom", message: "a BOM is for CSV files (Excel); JSON Lines never has one" }]);
  return { nodes: q.columns === "nodes", spread: q.spread === "json", bom: q.bom === "1" };
}

/** The query string that asks for `opts` (empty for the defaults), for links the web app builds. */
export function exportQueryString(opts: Pick<ExportOptions, "nodes" | "spread" | "bom">): string {
  const params: string[] = [];
  if (opts.nodes) params.push("columns=nodes");
  if (opts.spread) params.push("spread=json");
  if (opts.bom) params.push("bom=1");
  return params.length ? `?${params.join("&")}` : "";
}

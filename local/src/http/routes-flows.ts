/**
 * Flow routes: `POST /api/flows/template.csv` answers a flow's CSV template (its input columns as
 * a header plus one example row: core's flowTemplate) as a download. Nothing is stored.
 */
import { flowTemplate, templateFilename } from "@flowcraft/core";
import { z } from "zod";
import { parseBody, readJson } from "./respond";
import type { Router } from "./router";

export const TemplateBody = z
  .object({
    flow: z.unknown().refine((v) => v !== undefined, "a flow is required"),
    /** Names the file: `<name>.template.csv` (default `flow.template.csv`). */
    name: z.string().max(200).optional(),
  })
  .strict();

export function flowRoutes(router: Router, jsonBytes: number): void {
  router.on("POST", "/api/flows/template.csv", async ({ req, res }) => {
    const body = parseBody(TemplateBody, await readJson(req, jsonBytes));
    const { csv } = flowTemplate(body.flow);
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${templateFilename(body.name)}"`,
      "content-length": Buffer.byteLength(csv),
      "cache-control": "no-store",
    });
    res.end(csv);
  });
}

/**
 * Browser test scenario for the Export dialog: a finished image batch exports as a ZIP (the
 * results CSV with per-node columns, plus one PNG per row named by row and node, matching the
 * CSV's cells) and as "Excel (UTF-8 with BOM)"; the dialog fits a 1280 px desktop and a 390 px
 * phone.
 */
import fs from "node:fs";
import type { Page } from "playwright-core";
import { parseCsv } from "../../../core/src/csv/read";
import { unzip } from "../../../local/test/support/unzip";
import { api, shot, type Ctx } from "./context";
import { assert, type StepRunner } from "./steps";

// topic ──▶ visual (image) ──▶ out "picture"
const FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "visual", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "A picture of {{topic}} é" } },
    { id: "out", type: "output", data: { name: "picture" } },
  ],
  edges: [
    { source: "topic", target: "visual" },
    { source: "visual", target: "out" },
  ],
};

async function download(page: Page, kind: RegExp, nodes: boolean): Promise<Buffer> {
  await page.getByRole("button", { name: "Export…" }).click();
  const dialog = page.getByRole("dialog", { name: "Export results" });
  await dialog.getByLabel(kind).check();
  if (nodes) await dialog.getByLabel(/Per-node details/).check();
  const [file] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "Download" }).click()]);
  return fs.readFileSync(await file.path());
}

export async function exportScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  let id = "";
  await run.step("the Export dialog downloads a ZIP whose images match the CSV's cells", async () => {
    const csv = "topic\ncats\ndogs\n[[fail]] birds\n";
    id = (await api<{ job: { id: string } }>(server, "/api/batches", { name: "export-e2e", flow: FLOW, csv, concurrency: 2, start: true })).job.id;
    await page.goto(`${server.baseUrl}/#/batches/${encodeURIComponent(id)}`);
    await page.getByTestId("batch-status").getByText("completed").waitFor({ timeout: 60_000 });
    const entries = await unzip(await download(page, /^ZIP/, true));
    const names = [...entries.keys()];
    assert(names[0] === "export-e2e.results.csv", `first entry is ${names[0]}`);
    const { rows } = parseCsv(entries.get(names[0])!.toString("utf8"));
    assert(rows.length === 3, `ZIP CSV has ${rows.length} rows`);
    const pictures = rows.map((r) => r.picture ?? "");
    assert(JSON.stringify(pictures) === JSON.stringify(["row-00000-visual.png", "row-00001-visual.png", ""]), `picture cells ${pictures.join(", ")}`);
    assert(JSON.stringify(names.slice(1)) === JSON.stringify(pictures.slice(0, 2)), `entries ${names.join(", ")}`);
    assert(rows[2]?.failedNode === "visual" && rows[0]?.["visual:status"] === "succeeded", `node columns ${JSON.stringify(rows[2])}`);
    assert(entries.get("row-00000-visual.png")!.subarray(1, 4).toString() === "PNG", "the first image is not a PNG");
  });

  await run.step("Excel (UTF-8 with BOM) starts with a byte order mark; the dialog fits 1280 px and 390 px", async () => {
    const bytes = await download(page, /^Excel/, false);
    assert(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, `no BOM: ${bytes.subarray(0, 3).toString("hex")}`);
    assert(parseCsv(bytes.toString("utf8")).columns[0] === "topic", "the Excel file's first column is not topic");
    for (const [width, height, name] of [
      [1280, 800, "16-export-desktop"],
      [390, 844, "16b-export-phone"],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.getByRole("button", { name: "Export…" }).click();
      const dialog = page.getByRole("dialog", { name: "Export results" });
      const box = await dialog.boundingBox();
      assert(box !== null && box.x >= 0 && box.x + box.width <= width, `the dialog overflows ${width} px: ${JSON.stringify(box)}`);
      const button = await dialog.getByRole("button", { name: "Download" }).boundingBox();
      assert(button !== null && button.x + button.width <= width, `Download is off screen at ${width} px`);
      await shot(page, name);
      await dialog.getByRole("button", { name: "Close", exact: true }).click();
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
}

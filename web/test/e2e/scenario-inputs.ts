/**
 * Browser test scenario for inputs beside outputs and spreadsheet habits: the editor's CSV template
 * downloads the flow's input columns plus one example row; a Windows-1252 file is refused in the
 * run dialog before anything is uploaded, saying how to re-save it, while a UTF-16 file (Excel's
 * "Unicode text") reads; the results table shows each row's input cells, loaded page by page as
 * it scrolls past the first page; row details show every input cell. Desktop and phone size.
 */
import fs from "node:fs";
import { parseCsv } from "../../../core/src/csv/read";
import { shot, type Ctx } from "./context";
import { buildCsv, inputColumnsOf } from "./fixtures";
import { assert, type StepRunner } from "./steps";

const ROWS = 150; // more than one page of input cells (100)

const utf16le = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);

export async function inputsScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page } = ctx;
  const inputs = inputColumnsOf(ctx.example);
  const fixture = buildCsv(ctx.example, { rows: ROWS, rename: false, markerFor: () => null });

  await run.step("the CSV template button downloads the flow's input columns and one example row", async () => {
    await page.getByRole("link", { name: "Flow editor" }).click();
    // The example's flow, whatever an earlier scenario left in the editor.
    await page.getByRole("toolbar", { name: "Flow tools" }).getByRole("combobox").selectOption(ctx.example.id);
    await page.getByRole("button", { name: "Load example" }).click();
    await page.getByText("✓ The flow is valid.").waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CSV template" }).click()]);
    assert(download.suggestedFilename().endsWith(".template.csv"), `file name ${download.suggestedFilename()}`);
    const text = fs.readFileSync(await download.path(), "utf8");
    const parsed = parseCsv(text);
    assert(JSON.stringify(parsed.columns) === JSON.stringify(inputs), `template columns ${parsed.columns.join(",")} (flow reads ${inputs.join(",")})`);
    assert(parsed.rows.length === 1 && Object.values(parsed.rows[0]!).every((v) => v !== ""), `example row ${JSON.stringify(parsed.rows)}`);
  });

  let jobId = "";
  await run.step("a Windows-1252 file is refused before upload with how to re-save it; the same rows as UTF-16 read", async () => {
    await page.getByRole("button", { name: "Run batch…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    const latin = fixture.csv.replace("value 1", "valeur café 1");
    await dialog.getByLabel(/CSV file/).setInputFiles({ name: "e2e-latin1.csv", mimeType: "text/csv", buffer: Buffer.from(latin, "latin1") });
    await dialog
      .getByText(/looks like Windows-1252/)
      .first()
      .waitFor();
    await dialog
      .getByText(/CSV UTF-8 \(Comma delimited\)/)
      .first()
      .waitFor();
    await shot(page, "60-inputs-windows-1252-refused");
    await dialog.getByLabel(/CSV file/).setInputFiles({ name: "e2e-utf16.csv", mimeType: "text/csv", buffer: utf16le(fixture.csv) });
    await dialog.getByText("✓ Every row passed the checks.").waitFor();
    await dialog.getByRole("button", { name: `Run ${ROWS} rows` }).click();
    await page.waitForURL(/#\/batches\/[^/]+$/);
    jobId = decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
    assert(jobId !== "", "the batch page opened");
  });

  await run.step("the results table shows the input cells, loading the next page as it scrolls", async () => {
    const first = inputs[0]!;
    await page.locator(`[data-input-column="${first}"]`).waitFor();
    await page.locator(".results-row[data-row='0'] .input-cell").first().getByText(fixture.rows[0]![first]!, { exact: true }).waitFor();
    const table = page.getByRole("table", { name: "Row results" });
    await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = ROWS - 1;
    await page.locator(`.results-row[data-row='${last}'] .input-cell`).first().getByText(fixture.rows[last]![first]!, { exact: true }).waitFor();
    await shot(page, "61-inputs-results-desktop");
  });

  await run.step("row details show every input cell; the table and details fit a phone", async () => {
    const last = ROWS - 1;
    await page.getByRole("button", { name: `Details of row ${last + 1}` }).click();
    const details = page.getByRole("region", { name: `Row ${last + 1} inputs` });
    for (const column of inputs) await details.getByText(fixture.rows[last]![column]!, { exact: true }).waitFor();
    await shot(page, "62-inputs-row-details-desktop");
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await details.getByText(fixture.rows[last]![inputs[0]!]!, { exact: true }).waitFor();
      const box = await page.getByRole("dialog", { name: `Row ${last + 1}` }).boundingBox();
      assert(box !== null && box.width <= 390, `the row details dialog is ${box?.width}px wide at 390px`);
      await shot(page, "63-inputs-row-details-phone");
      await page
        .getByRole("dialog", { name: `Row ${last + 1}` })
        .getByRole("button", { name: "Close", exact: true })
        .click();
      await shot(page, "64-inputs-results-phone");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
}

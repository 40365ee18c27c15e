/**
 * Browser test scenario for media outputs: the image example runs over its own sample CSV with the
 * "Use the example's sample CSV" button, and the batch view shows loaded thumbnails served by
 * /api/media/<ref>.
 */
import { shot, type Ctx } from "./context";
import { assert, type StepRunner } from "./steps";

const MEDIA_EXAMPLE = "Social posts with images";

export async function mediaScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await run.step("an image flow run over the example's sample CSV shows image thumbnails", async () => {
    await page.getByRole("link", { name: "Flow editor" }).click();
    const picker = page.getByRole("toolbar", { name: "Flow tools" }).getByRole("combobox");
    await picker.selectOption({ label: MEDIA_EXAMPLE });
    await page.getByRole("button", { name: "Load example" }).click();
    await page.getByText("✓ The flow is valid.").waitFor();
    await page.getByRole("button", { name: "Run batch…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    await dialog.getByRole("button", { name: "Use the example's sample CSV" }).click();
    await dialog.getByText("✓ Every row passed the checks.").waitFor();
    await dialog.getByRole("button", { name: /^Run \d+ rows?$/ }).click();
    await page.waitForURL(/#\/batches\/[^/]+$/);
    await page.getByTestId("batch-status").getByText("completed").waitFor({ timeout: 60_000 });
    const thumbs = page.locator(".results-row img.thumb");
    await thumbs.first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>(".results-row img.thumb")].every((img) => img.complete));
    const widths = await thumbs.evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth));
    assert(widths.length > 0 && widths.every((w) => w > 0), `thumbnails did not load: natural widths ${widths.join(", ")}`);
    await shot(page, "15-batch-images");
  });
}

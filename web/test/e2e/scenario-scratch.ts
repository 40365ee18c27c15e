/**
 * Browser test scenario: a flow built from scratch with the toolbar and the side panel only
 * (input → video → output, connected through "Receives from"), previewed with a video player, and
 * run as a two-row batch whose rows show video players.
 */
import { shot, type Ctx } from "./context";
import { assert, type StepRunner } from "./steps";

export async function scratchScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await run.step("a flow built from scratch (input → video → output) previews with a video player", async () => {
    await page.getByRole("link", { name: "Flow editor" }).click();
    await page.getByRole("button", { name: "New flow" }).click();
    await page.getByRole("button", { name: "Start from scratch" }).click();
    await page.getByLabel("CSV column").fill("topic");
    await page.getByLabel("Node id").fill("topic");
    await page.getByLabel("Node id").press("Enter");
    await page.getByTestId("node-topic").waitFor();

    await page.getByRole("button", { name: "Add video node" }).click();
    await page.getByLabel("Prompt", { exact: true }).fill("A five second clip about {{topic}}");
    await page.getByRole("checkbox", { name: /^topic/ }).check();

    await page.getByRole("button", { name: "Add output node" }).click();
    await page.getByLabel("Output column name").fill("clip");
    await page.getByRole("checkbox", { name: /^video/ }).check();
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByText("✓ The flow is valid.").waitFor();
    await shot(page, "17-editor-from-scratch");

    await page.getByRole("button", { name: "Preview one row" }).click();
    const dialog = page.getByRole("dialog", { name: "Preview on one row" });
    await dialog.getByLabel("topic").fill("sunrise over the sea");
    await dialog.getByRole("button", { name: "Run preview" }).click();
    await dialog.locator("video").waitFor();
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
  });

  await run.step("the video flow runs as a batch and its rows show video players", async () => {
    await page.getByRole("button", { name: "Run batch…" }).click();
    const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
    await dialog
      .getByLabel(/CSV file/)
      .setInputFiles({ name: "topics.csv", mimeType: "text/csv", buffer: Buffer.from("topic\r\nsunrise\r\nrain on a window\r\n") });
    await dialog.getByText("✓ Every row passed the checks.").waitFor();
    await dialog.getByRole("button", { name: "Run 2 rows" }).click();
    await page.getByTestId("batch-status").getByText("completed").waitFor({ timeout: 30_000 });
    const videos = page.locator(".results-row video.thumb");
    await videos.nth(1).waitFor();
    const sources = await videos.evaluateAll((els) => els.map((v) => (v as HTMLVideoElement).currentSrc || (v as HTMLVideoElement).src));
    assert(sources.length === 2 && sources.every((s) => s.includes("/api/media/")), `video sources: ${sources.join(", ")}`);
    await shot(page, "18-batch-videos");
  });
}

/**
 * Browser test scenario for re-running rows: a finished batch with a failed row offers "Re-run
 * with current flow"; re-running the failed rows with the editor's flow makes a new pass that ends
 * with every row succeeded, and a list of row numbers that is not one is refused before sending.
 * Checked at desktop (1280 px) and phone (390 px) widths.
 */
import { shot, type Ctx } from "./context";
import { getJob, runBatch, until } from "./scenario-live";
import { assert, type StepRunner } from "./steps";

export async function rerunScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  let id = "";

  await run.step("a finished batch with a failed row re-runs it with the current flow in a new pass", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    // The marker text is this scenario's own: the offline provider fails only the first call with a
    // given prompt, and earlier scenarios ran the same rows with a bare marker.
    id = await runBatch(page, ctx, { rows: 4, concurrency: 2, marker: (i) => (i === 1 ? "[[fail-first]] (re-run scenario)" : null), file: "rerun.csv" });
    await until("the batch to end", async () => (await getJob(server, id)).status === "completed");
    const panel = page.getByTestId("rerun-panel");
    await panel.waitFor();
    assert((await panel.getByTestId("rerun-choice").inputValue()) === "failed", "the failed rows are not the default choice");
    await panel.getByTestId("rerun-choice").selectOption("list");
    await panel.getByTestId("rerun-list").fill("2, x");
    assert(await panel.getByTestId("rerun-button").isDisabled(), "a list that is not row numbers can be sent");
    await panel.getByTestId("rerun-choice").selectOption("failed");
    await shot(page, "rerun-desktop");
    await panel.getByTestId("rerun-button").click();
    await panel.getByText("1 row queued with the current flow.").waitFor();
    await until("the re-run pass to end", async () => {
      const j = await getJob(server, id);
      return j.status === "completed" && j.failedRows === 0;
    });
    const job = await getJob(server, id);
    assert(job.completedRows === 4, `expected 4 succeeded rows, got ${job.completedRows}`);
  });

  await run.step("the re-run panel fits a phone screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const panel = page.getByTestId("rerun-panel");
    await panel.waitFor();
    const box = await panel.boundingBox();
    assert(box !== null && box.x >= 0 && box.x + box.width <= 390 + 1, `the panel overflows a 390 px screen (${JSON.stringify(box)})`);
    const button = await panel.getByTestId("rerun-button").boundingBox();
    assert(button !== null && button.x + button.width <= 390 + 1, "the button is off screen at 390 px");
    await shot(page, "rerun-phone");
    await page.setViewportSize({ width: 1440, height: 900 });
  });
}

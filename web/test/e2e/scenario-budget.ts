/** Browser test scenario: a batch paused by its budget says what it spent, refuses a resume without room, and resumes under a raised budget. */
import { api, shot, type Ctx } from "./context";
import { buildCsv } from "./fixtures";
import { assert, type StepRunner } from "./steps";

const ROWS = 6;
/** Below the cost of one offline row, so the first finished row pauses the batch. */
const TINY_BUDGET = 0.0000001;

interface BudgetJob {
  id: string;
  status: string;
  pausedReason: string | null;
  costUsd: number;
  budgetUsd: number | null;
  completedRows: number;
}

async function waitForStatus(ctx: Ctx, jobId: string, done: (job: BudgetJob) => boolean): Promise<BudgetJob> {
  for (let i = 0; i < 200; i++) {
    const { job } = await api<{ job: BudgetJob }>(ctx.server, `/api/batches/${jobId}`);
    if (done(job)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`batch ${jobId} never reached the awaited state`);
}

export async function budgetScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  let jobId = "";
  await run.step("a budget-paused batch shows spent vs budget, and a resume without raising it is explained in words", async () => {
    const fixture = buildCsv(ctx.example, { rows: ROWS, rename: false, markerFor: () => "" });
    const body = {
      name: "e2e-budget",
      flow: ctx.example.flow,
      columns: fixture.columns,
      rows: fixture.rows,
      concurrency: 1,
      start: true,
      budgetUsd: TINY_BUDGET,
    };
    jobId = (await api<{ job: BudgetJob }>(server, "/api/batches", body)).job.id;
    const paused = await waitForStatus(ctx, jobId, (j) => j.status === "paused");
    assert(paused.pausedReason === "budget" && paused.costUsd > 0, `server job paused by ${paused.pausedReason} with cost ${paused.costUsd}`);
    await page.goto(`${server.baseUrl}/#/batches/${encodeURIComponent(jobId)}`);
    const banner = page.getByTestId("paused-banner");
    await banner.getByText("Paused: the batch reached its budget.").waitFor();
    await banner.getByText(/Spent \$0\.000\d+ of its \$0\.0000001 budget\./).waitFor();
    await page.getByTestId("batch-status").getByText("paused").waitFor();
    await page.getByRole("button", { name: "Resume batch" }).click();
    await page.getByText(/The batch cannot resume under its budget: it spent \$[\d.]+ of \$0\.0000001/).waitFor();
    const still = await api<{ job: BudgetJob }>(server, `/api/batches/${jobId}`);
    assert(still.job.status === "paused", `a resume without room left the job ${still.job.status}`);
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "11c-batch-budget-paused-phone");
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await run.step("raising the budget in the banner resumes the batch and it runs its rows under the new budget", async () => {
    const banner = page.getByTestId("paused-banner");
    await banner.getByLabel("New budget (USD)").fill("abc");
    await banner.getByText("Type the new budget as an amount of US dollars").waitFor();
    assert(await banner.getByRole("button", { name: "Raise budget and resume" }).isDisabled(), "a budget that is not a number can be submitted");
    await banner.getByLabel("New budget (USD)").fill("1");
    await banner.getByRole("button", { name: "Raise budget to $1.00 and resume" }).click();
    await page.getByTestId("batch-status").getByText("completed").waitFor({ timeout: 30_000 });
    assert((await page.getByTestId("paused-banner").count()) === 0, "the paused banner is still shown after the raise");
    const done = await waitForStatus(ctx, jobId, (j) => j.status === "completed");
    assert(done.budgetUsd === 1 && done.completedRows === ROWS, `server job has budget ${done.budgetUsd} and ${done.completedRows} rows done`);
  });
}

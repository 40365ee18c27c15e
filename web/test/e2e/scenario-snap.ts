/**
 * Browser test scenario for a batch's flow and row selection: rows picked in the results table
 * (a click, then a shift-click for the range) are re-run with "Re-run N selected rows with current
 * flow"; the batch's read-only Flow view marks the steps the editor's flow changed or added, its
 * nodes cannot be dragged, and "Open in editor" (after asking) loads the batch's flow into the
 * editor. Checked at desktop (1280 px) and phone (390 px) widths.
 */
import { api, shot, type Ctx } from "./context";
import { getJob, runBatch, until } from "./scenario-live";
import { assert, type StepRunner } from "./steps";

type FlowJson = { nodes: Array<{ id: string; type: string; data: Record<string, unknown> }>; edges: unknown[] };

interface JobDoc {
  status: string;
  pass: number;
  flowConfig: FlowJson;
}
const jobOf = async (ctx: Ctx, id: string): Promise<JobDoc> => (await api<{ job: JobDoc }>(ctx.server, `/api/batches/${id}`)).job;

const fits = (box: { x: number; width: number } | null, width: number): boolean => box !== null && box.x >= 0 && box.x + box.width <= width + 1;

export async function snapScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;
  let id = "";
  let snapshot: FlowJson = { nodes: [], edges: [] };

  await run.step("rows selected in the results table (click, then shift-click) re-run with the current flow", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    id = await runBatch(page, ctx, { rows: 5, concurrency: 3, marker: () => null, file: "snap.csv" });
    await until("the batch to end", async () => (await getJob(server, id)).status === "completed");
    const panel = page.getByTestId("rerun-panel");
    await panel.waitFor();
    await page.getByTestId("select-row-1").click();
    await page.getByTestId("select-row-3").click({ modifiers: ["Shift"] });
    await page.getByText("5 with results · 3 selected").waitFor();
    assert((await panel.getByTestId("rerun-choice").inputValue()) === "selected", "selecting rows does not pick them for the re-run");
    const button = panel.getByTestId("rerun-button");
    assert((await button.textContent()) === "Re-run 3 selected rows with current flow", `the button says "${await button.textContent()}"`);
    await shot(page, "snap-selection-desktop");
    const before = (await jobOf(ctx, id)).pass;
    await button.click();
    await panel.getByText("3 rows queued with the current flow.").waitFor();
    await until("the re-run pass to end", async () => {
      const j = await jobOf(ctx, id);
      return j.pass > before && j.status === "completed";
    });
    assert(!(await page.getByTestId("select-row-2").isChecked()), "the selection stays after its rows were queued");
    snapshot = (await jobOf(ctx, id)).flowConfig;
  });

  await run.step("the batch's flow shows read-only, marking steps the editor's flow changed or added", async () => {
    // The editor's flow (kept in localStorage) gets one prompt changed and one step added.
    const edited: FlowJson = structuredClone(snapshot);
    const text = edited.nodes.find((n) => n.type === "text");
    assert(text, "the example has no text step");
    text.data.prompt = `${String(text.data.prompt)} Keep it short.`;
    edited.nodes.push({ id: "extra", type: "output", data: { name: "Extra" } });
    await page.evaluate((flow) => window.localStorage.setItem("flowcraft.flow.v1", JSON.stringify({ flow, name: "Edited" })), edited);
    await page.reload();
    const view = page.getByTestId("batch-flow");
    await view.getByText("2 steps differ from the editor's flow.").waitFor();
    await view.getByTestId("flow-toggle").click();
    const changed = view.locator(".react-flow__node.diff-changed");
    await changed.first().waitFor();
    assert((await changed.count()) === 1, `expected 1 changed step, got ${await changed.count()}`);
    assert((await changed.getByTestId(`node-${text.id}`).count()) === 1, "the changed step is not the edited one");
    await view.getByTestId("flow-diff-list").locator('li[data-change="added"]', { hasText: "extra" }).waitFor();
    assert((await view.getByTestId("node-extra").count()) === 0, "a step only in the editor is drawn on the batch's canvas");
    // Read-only: dragging a node does not move it within the flow (the drag pans the view instead).
    const wrapper = changed.first();
    const place = async (): Promise<string> => wrapper.evaluate((el) => (el as HTMLElement).style.transform);
    const was = await place();
    const at = await wrapper.boundingBox();
    assert(at, "the changed node has no box");
    await page.mouse.move(at.x + 20, at.y + 10);
    await page.mouse.down();
    await page.mouse.move(at.x + 140, at.y + 90, { steps: 5 });
    await page.mouse.up();
    assert(was !== "" && (await place()) === was, `a node of the batch's flow can be dragged (${was} → ${await place()})`);
    await shot(page, "snap-flow-desktop");
  });

  await run.step("the flow view and the row checkboxes fit a phone screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const view = page.getByTestId("batch-flow");
    assert(fits(await view.boundingBox(), 390), "the flow view overflows a 390 px screen");
    assert(fits(await view.getByTestId("flow-open-editor").boundingBox(), 390), "Open in editor is off screen at 390 px");
    assert(fits(await view.getByTestId("batch-flow-canvas").boundingBox(), 390), "the canvas overflows a 390 px screen");
    const box = await page.getByTestId("select-row-0").boundingBox();
    assert(fits(box, 390), "a row's checkbox is off screen at 390 px");
    await page.getByTestId("select-row-0").check();
    await page.getByTestId("rerun-button").getByText("Re-run 1 selected row with current flow").waitFor();
    await page.getByTestId("clear-selection").click();
    await shot(page, "snap-flow-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await run.step("Open in editor asks first, then loads the batch's flow into the editor", async () => {
    const asked: string[] = [];
    page.once("dialog", (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await page.getByTestId("flow-open-editor").click();
    await page.waitForURL(/#\/$/);
    assert(asked.length === 1, "the editor's differing flow was replaced without asking");
    for (const node of snapshot.nodes) await page.getByTestId(`node-${node.id}`).waitFor();
    assert((await page.getByTestId("node-extra").count()) === 0, "the editor still has the step the batch's flow lacks");
    await page.getByText("✓ The flow is valid.").waitFor();
    await page.getByRole("link", { name: "Batches" }).click();
    await page.goto(`${server.baseUrl}/#/batches/${encodeURIComponent(id)}`);
    await page.getByTestId("batch-flow").getByText("Same as the editor's flow.").waitFor();
    await page.setViewportSize({ width: 1440, height: 900 });
  });
}

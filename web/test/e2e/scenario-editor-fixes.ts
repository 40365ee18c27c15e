/**
 * Browser test scenario for the editor: importing a flow that reuses the current flow's node ids
 * replaces the whole document (canvas, export, and after a reload); Export JSON keeps the flow's
 * name; at phone size (390×844) the editor's toolbar, empty state and canvas do not overlap and
 * the canvas keeps a usable height; the batch dialog's "not created" error shows in view.
 */
import fs from "node:fs";
import type { Page } from "playwright-core";
import { shot, type Ctx } from "./context";
import type { Example } from "./fixtures";
import { assert, type StepRunner } from "./steps";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
const MIN_CANVAS_PX = 300;

type Box = { x: number; y: number; width: number; height: number };

/** The example flow with every AI prompt prefixed by a version tag; same node ids, other name. */
function version(example: Example, tag: string): { name: string; nodes: Example["flow"]["nodes"]; edges: Example["flow"]["edges"] } {
  const nodes = example.flow.nodes.map((n) => (typeof n.data.prompt === "string" ? { ...n, data: { ...n.data, prompt: `${tag} ${n.data.prompt}` } } : n));
  return { name: `Flow ${tag}`, nodes, edges: example.flow.edges };
}

async function box(page: Page, selector: string): Promise<Box> {
  const b = await page.locator(selector).first().boundingBox();
  assert(b, `${selector} is not visible`);
  return b;
}

const promptOf = (data: Record<string, unknown>): string => (typeof data.prompt === "string" ? data.prompt : "");

const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function exportedFlow(page: Page): Promise<{ name?: string; nodes: Array<{ id: string; data: Record<string, unknown> }> }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
  return JSON.parse(fs.readFileSync(await download.path(), "utf8")) as { name?: string; nodes: Array<{ id: string; data: Record<string, unknown> }> };
}

async function loadExample(page: Page, example: Example): Promise<void> {
  await page.getByRole("toolbar", { name: "Flow tools" }).getByRole("combobox").selectOption(example.id);
  await page.getByRole("button", { name: "Load example" }).click();
  await page.getByText("✓ The flow is valid.").waitFor();
}

export async function editorFixesScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page } = ctx;
  const textNode = (): string => {
    const n = ctx.example.flow.nodes.find((x) => typeof x.data.prompt === "string");
    assert(n, "the example has no node with a prompt");
    return n.id;
  };

  await run.step("importing a flow that reuses the node ids replaces its prompts everywhere, also after a reload", async () => {
    await page.getByRole("link", { name: "Flow editor" }).click();
    await loadExample(page, ctx.example);
    const id = textNode();
    const input = page.getByLabel("Import flow JSON file");
    // Alternate two flows with the same node ids: one import in a few kept the old prompts. As a
    // user might, keep working on the canvas while the import lands: drag a node meanwhile, so
    // React Flow reports changes around the moment the new flow replaces the old one.
    for (const tag of ["VERSION-A", "VERSION-B", "VERSION-A", "VERSION-B", "VERSION-A", "VERSION-B"]) {
      const flow = version(ctx.example, tag);
      const b = await page.getByTestId(`node-${id}`).boundingBox();
      assert(b, "the text node is not on the canvas");
      await page.mouse.move(b.x + b.width / 2, b.y + 10);
      await page.mouse.down();
      const drag = (async () => {
        for (let i = 1; i <= 30; i++) await page.mouse.move(b.x + b.width / 2 + i, b.y + 10 + i);
      })();
      await input.setInputFiles({ name: "import.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(flow)) });
      await drag;
      await page.mouse.up();
      await page
        .getByTestId(`node-${id}`)
        .filter({ hasText: tag })
        .waitFor({ timeout: 5_000 })
        .catch(() => {
          throw new Error(`the canvas kept the old prompt after importing ${tag}`);
        });
      // Give late canvas measurements the chance to write an old flow back, then look again.
      await page.waitForTimeout(400);
      const other = tag === "VERSION-A" ? "VERSION-B" : "VERSION-A";
      assert((await page.getByTestId(`node-${id}`).innerText()).includes(tag), `the canvas lost the imported ${tag} prompt`);
      const exported = await exportedFlow(page);
      const prompts = exported.nodes.map((n) => promptOf(n.data)).filter(Boolean);
      assert(prompts.length > 0 && prompts.every((p) => p.startsWith(tag)), `export after importing ${tag} has prompts: ${prompts.join(" | ").slice(0, 200)}`);
      assert(!JSON.stringify(exported.nodes).includes(other), `export after importing ${tag} still holds ${other}`);
    }
    await page.waitForTimeout(500); // the document is saved 300 ms after the last change
    await page.reload();
    await page.getByTestId(`node-${id}`).filter({ hasText: "VERSION-B" }).waitFor();
    const afterReload = await exportedFlow(page);
    assert(
      afterReload.nodes.every((n) => !promptOf(n.data).startsWith("VERSION-A")),
      "an old prompt came back after a reload",
    );
  });

  await run.step("Export JSON keeps the flow's name and Import takes it back", async () => {
    const flow = version(ctx.example, "VERSION-C");
    await page
      .getByLabel("Import flow JSON file")
      .setInputFiles({ name: "import.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(flow)) });
    await page.getByTestId(`node-${textNode()}`).filter({ hasText: "VERSION-C" }).waitFor();
    assert((await page.getByLabel("Flow name").inputValue()) === flow.name, "the imported flow did not take the name in its file");
    await page.getByLabel("Flow name").fill("Renamed in the editor");
    const exported = await exportedFlow(page);
    assert(exported.name === "Renamed in the editor", `export dropped the flow name (${JSON.stringify(exported.name)})`);
  });

  await run.step("at 390×844 the editor's toolbar, empty state and canvas do not overlap and the canvas stays usable", async () => {
    await page.setViewportSize(PHONE);
    try {
      await page.getByRole("button", { name: "New flow" }).click();
      await page.getByRole("button", { name: `Start from example: ${ctx.example.name}` }).waitFor();
      const header = await box(page, ".app-header");
      const toolbar = await box(page, ".toolbar");
      const canvas = await box(page, ".canvas");
      assert(canvas.height >= MIN_CANVAS_PX, `canvas is ${Math.round(canvas.height)} px tall`);
      assert(canvas.width >= PHONE.width - 2, `canvas is ${Math.round(canvas.width)} px wide`);
      assert(!overlaps(header, toolbar) && !overlaps(toolbar, canvas), "header, toolbar and canvas overlap");
      const heading = await box(page, ".canvas-empty h2");
      assert(!overlaps(heading, toolbar) && heading.y >= canvas.y, "the empty-state text overlaps the toolbar");
      const cards = page.locator(".example-grid button");
      for (let i = 0; i < (await cards.count()); i++) {
        const card = await cards.nth(i).boundingBox();
        assert(card && card.y >= canvas.y && !overlaps(card, toolbar), `example card ${i + 1} overlaps the toolbar`);
      }
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= PHONE.width + 1, `the page scrolls sideways (${width} px wide)`);
      await shot(page, "20-phone-editor-empty");

      await loadExample(page, ctx.example);
      const loaded = await box(page, ".canvas");
      const panel = await box(page, ".side-panel");
      assert(loaded.height >= MIN_CANVAS_PX, `canvas with a flow is ${Math.round(loaded.height)} px tall`);
      assert(!overlaps(loaded, panel) && !overlaps(await box(page, ".toolbar"), loaded), "canvas overlaps the toolbar or the side panel");
      await page.getByTestId(`node-${textNode()}`).waitFor();
      await shot(page, "21-phone-editor-flow");
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });

  await run.step("the batch dialog shows a 'not created' error in view, next to Run, also on a phone", async () => {
    await loadExample(page, ctx.example); // its sample CSV feeds the dialog
    await page.setViewportSize(PHONE);
    await page.route("**/api/batches", (route) =>
      route.request().method() === "POST"
        ? route.fulfill({
            status: 503,
            contentType: "application/json",
            body: JSON.stringify({ error: { code: "unavailable", message: "e2e: the server refused", retryable: true } }),
          })
        : route.continue(),
    );
    try {
      await page.getByRole("button", { name: "Run batch…" }).click();
      const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
      await dialog.getByRole("button", { name: "Use the example's sample CSV" }).click();
      await dialog.getByText("✓ Every row passed the checks.").waitFor();
      await dialog.getByRole("button", { name: /^Run \d+ rows?$/ }).click();
      const alert = dialog.getByRole("alert").filter({ hasText: "The batch was not created" });
      await alert.waitFor();
      await page.waitForFunction(
        () => {
          const a = [...document.querySelectorAll("dialog [role=alert]")].find((e) => e.textContent?.includes("not created"));
          const body = document.querySelector("dialog .dialog-body");
          if (!a || !body) return false;
          const r = a.getBoundingClientRect();
          const b = body.getBoundingClientRect();
          return r.top >= b.top - 1 && r.bottom <= b.bottom + 1 && r.bottom <= window.innerHeight;
        },
        undefined,
        { timeout: 5_000 },
      );
      await shot(page, "22-phone-batch-not-created");
      await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
    } finally {
      await page.unroute("**/api/batches");
      if (await page.locator("dialog[open]").count()) await page.keyboard.press("Escape");
      await page.setViewportSize(DESKTOP);
    }
    await loadExample(page, ctx.example);
  });
}

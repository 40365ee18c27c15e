/**
 * Browser test scenario for the Settings page: a model's limit is changed and saved, a reload shows
 * it kept (the host persisted it), a bad value is named at its field, Reset goes back to the
 * default, and at phone width (390 px) the page fits without sideways scrolling.
 */
import type { Page } from "playwright-core";
import { api, shot, type Ctx } from "./context";
import { assert, type StepRunner } from "./steps";

const MODEL = "gemini-2.5-flash";

interface View {
  models: Array<{ model: string; override: Record<string, number> | null; limits: Record<string, number> }>;
}

/** The model's card, adding the model first when the host has no entry for it yet. */
async function cardOf(page: Page, model: string) {
  const card = page.getByRole("region", { name: model, exact: true });
  if ((await card.count()) === 0) {
    await page.getByRole("textbox", { name: "Add a model" }).fill(model);
    await page.getByRole("button", { name: "Add", exact: true }).click();
  }
  await card.waitFor();
  return card;
}

export async function settingsScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;

  await run.step("Settings: a bad limit is named at its field; a saved limit is applied by the host and still shown after a reload", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/#\/settings$/);
    await page.getByRole("heading", { name: "AI limits" }).waitFor();
    let card = await cardOf(page, MODEL);
    await card.getByLabel("Requests / min").fill("0");
    await card.getByRole("button", { name: "Save" }).click();
    const rpm = card.getByLabel("Requests / min");
    await card.getByText("a number above 0").waitFor();
    assert((await rpm.getAttribute("aria-invalid")) === "true", "the bad field is not marked invalid");
    await rpm.fill("120");
    await card.getByLabel("Calls at once").fill("4");
    await card.getByRole("button", { name: "Save" }).click();
    await card.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    const view = await api<View>(server, "/api/settings/limits");
    const saved = view.models.find((m) => m.model === MODEL);
    assert(saved?.override?.rpm === 120 && saved.override.concurrency === 4, `host has ${JSON.stringify(saved)}`);
    await shot(page, "28-settings");

    await page.reload();
    card = page.getByRole("region", { name: MODEL, exact: true });
    await card.waitFor();
    assert((await card.getByLabel("Requests / min").inputValue()) === "120", "RPM not kept after a reload");
    assert((await card.getByLabel("Calls at once").inputValue()) === "4", "concurrency not kept after a reload");
  });

  await run.step("Settings at 390 px: no sideways scrolling, every field on screen; Reset goes back to the default", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const card = page.getByRole("region", { name: MODEL, exact: true });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= 390, `the page is ${width} px wide at 390 px`);
      for (const label of ["Requests / min", "Tokens / min", "Calls at once", "Requests / day"]) {
        const box = await card.getByLabel(label).boundingBox();
        assert(box && box.x >= 0 && box.x + box.width <= 390, `${label} is off screen: ${JSON.stringify(box)}`);
      }
      await shot(page, "29-phone-settings");
      await card.getByRole("button", { name: "Reset to default" }).click();
      await card.getByRole("status").filter({ hasText: "Back to the default" }).waitFor();
      assert((await card.getByLabel("Requests / min").inputValue()) === "", "RPM still shows the override after Reset");
      const view = await api<View>(server, "/api/settings/limits");
      assert(view.models.find((m) => m.model === MODEL)?.override == null, "the host kept the override after Reset");
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
}

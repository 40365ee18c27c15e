/**
 * Browser test scenario for delete and webhooks: the webhook secret is shown once in Settings; the
 * run dialog's Webhook URL reaches the batch (a receiver on 127.0.0.1 gets its event); a batch is
 * deleted from its page and another from the list, each after a confirmation; at 390 px the
 * confirmation stays on screen.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { api, shot, type Ctx } from "./context";
import { buildCsv } from "./fixtures";
import { assert, type StepRunner } from "./steps";

async function receiver(): Promise<{ url: string; bodies: string[]; close: () => Promise<void> }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

async function status(ctx: Ctx, id: string): Promise<number> {
  return (await fetch(`${ctx.server.baseUrl}/api/batches/${encodeURIComponent(id)}`)).status;
}

export async function lifeScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  const { page, server } = ctx;

  await run.step("Settings: the webhook secret is shown once when created, then only its last four characters", async () => {
    await page.goto(`${server.baseUrl}/#/settings`);
    const card = page.getByRole("region", { name: "Webhook secret" });
    await card.getByRole("button", { name: /Create secret|Replace secret/ }).click();
    const value = (await card.getByTestId("webhook-secret-value").innerText()).trim();
    assert(/^whsec_/.test(value), `shown secret is ${value}`);
    await shot(page, "40-webhook-secret");
    await page.reload();
    const state = await card.getByTestId("webhook-secret-state").innerText();
    assert(state.includes(`…${value.slice(-4)}`) && !state.includes(value), `after a reload the card says ${state}`);
    assert((await card.getByTestId("webhook-secret-value").count()) === 0, "the secret is shown again after a reload");
  });

  const hook = await receiver();
  let viaDialog = "";
  try {
    await run.step("the run dialog's Webhook URL is stored on the batch and called when it finishes", async () => {
      await page.goto(`${server.baseUrl}/#/`);
      await page.getByRole("button", { name: "Run batch…" }).click();
      const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
      const fixture = buildCsv(ctx.example, { rows: 2, rename: false, markerFor: () => null });
      await dialog.getByLabel(/CSV file/).setInputFiles({ name: "hook.csv", mimeType: "text/csv", buffer: Buffer.from(fixture.csv) });
      await dialog.getByText("✓ Every row passed the checks.").waitFor();
      await dialog.getByLabel("Webhook URL (optional)").fill(hook.url);
      await dialog.getByRole("button", { name: "Run 2 rows" }).click();
      await page.waitForURL(/#\/batches\/[^/]+$/);
      viaDialog = decodeURIComponent(page.url().split("#/batches/")[1] ?? "");
      const { job } = await api<{ job: { webhookUrl: string | null } }>(server, `/api/batches/${viaDialog}`);
      assert(job.webhookUrl === hook.url, `the batch's webhookUrl is ${job.webhookUrl}`);
      for (let i = 0; i < 300 && hook.bodies.length === 0; i++) await page.waitForTimeout(100);
      const event = JSON.parse(hook.bodies[0] ?? "{}") as { type?: string; batch?: { id?: string } };
      assert(event.batch?.id === viaDialog && /^batch\./.test(event.type ?? ""), `the receiver got ${hook.bodies[0]}`);
    });
  } finally {
    await hook.close();
  }

  await run.step("a finished batch is deleted from its page after a confirmation; the list no longer has it", async () => {
    await page.goto(`${server.baseUrl}/#/batches/${encodeURIComponent(viaDialog)}`);
    await page
      .getByTestId("batch-status")
      .getByText(/completed|failed/)
      .waitFor();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("group", { name: /^Delete / });
    await confirm.getByRole("button", { name: "Keep" }).click();
    assert((await status(ctx, viaDialog)) === 200, "Keep deleted the batch");
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await confirm.getByRole("button", { name: "Yes, delete" }).click();
    await page.waitForURL(/#\/batches$/);
    assert((await status(ctx, viaDialog)) === 404, "the batch is still there");
  });

  await run.step("at 390 px a batch is deleted from the list, the confirmation on screen", async () => {
    const fixture = buildCsv(ctx.example, { rows: 1, rename: false, markerFor: () => null });
    const { job } = await api<{ job: { id: string; name: string } }>(server, "/api/batches", {
      name: "e2e-delete-me",
      flow: ctx.example.flow,
      columns: fixture.columns,
      rows: fixture.rows,
      start: false,
    });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.baseUrl}/#/batches`);
      await page.reload(); // the list was already open: load it again with the new batch
      const row = page.getByRole("row").filter({ hasText: "e2e-delete-me" });
      await row.getByRole("button", { name: "Delete", exact: true }).click();
      const yes = row.getByRole("button", { name: "Yes, delete" });
      await yes.scrollIntoViewIfNeeded();
      const box = await yes.boundingBox();
      assert(box !== null && box.width > 0, "the confirmation is not visible at 390 px");
      await shot(page, "41-delete-confirm-phone");
      await yes.click();
      await row.waitFor({ state: "detached" });
      assert((await status(ctx, job.id)) === 404, "the listed batch was not deleted");
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
}

/**
 * Browser test scenario for the Firebase backend: the app built with VITE_BACKEND=firebase and
 * VITE_USE_EMULATORS=true signs in anonymously on the Auth emulator, shows the bundled examples,
 * and calls the `previewFlow` and `createBatch` callables on the Functions emulator with the user's
 * ID token (both emulators are faked by Playwright routes; Firestore listeners are not covered).
 */
import fs from "node:fs";
import { parseCsv } from "../../../core/src/csv/read";
import { shot, type Ctx } from "./context";
import { inputColumnsOf } from "./fixtures";
import { installFirebaseFakes } from "./firebase-fakes";
import { buildFirebaseBundle, servePreview, type StaticServer } from "./static-server";
import { assert, type StepRunner } from "./steps";

const FAKE_JOB_ID = "fb-e2e-job";

function fakeRun(): unknown {
  return {
    status: "succeeded",
    outputs: { title: { kind: "text", text: "Preview answered by the previewFlow callable" } },
    trace: { title: { status: "succeeded", durationMs: 12, usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } } },
    usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
    durationMs: 12,
  };
}

function fakeJob(data: { name?: string; flow: unknown; columns: string[]; rows: unknown[]; concurrency: number }): unknown {
  const now = Date.now();
  return {
    id: FAKE_JOB_ID,
    ownerId: "e2e-anonymous-user",
    name: data.name ?? "batch",
    status: "processing",
    cancelRequested: false,
    totalRows: data.rows.length,
    completedRows: 0,
    failedRows: 0,
    skippedRows: 0,
    concurrency: data.concurrency,
    createdAt: now,
    startedAt: now,
    finishedAt: null,
    updatedAt: now,
    flowConfig: data.flow,
    columns: data.columns,
    outputColumns: ["title"],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    pass: 0,
    error: null,
  };
}

export async function firebaseScenario(run: StepRunner, ctx: Ctx): Promise<void> {
  let server: StaticServer | null = null;
  const page = await ctx.browser.context.newPage();
  page.setDefaultTimeout(20_000);
  try {
    const fakes = await installFirebaseFakes(page, {
      previewFlow: () => ({ run: fakeRun() }),
      createBatch: (data) => ({ job: fakeJob(data as Parameters<typeof fakeJob>[0]) }),
    });

    await run.step("Firebase mode: the app signs in anonymously on the Auth emulator and offers the bundled examples", async () => {
      server = await servePreview(buildFirebaseBundle());
      await page.goto(server.baseUrl + "/");
      await page.getByText("Firebase", { exact: true }).waitFor();
      await page.getByRole("button", { name: `Start from example: ${ctx.example.name}` }).waitFor();
      assert(fakes.signUps() === 1, `anonymous sign-ups: ${fakes.signUps()}`);
      await page.getByRole("button", { name: `Start from example: ${ctx.example.name}` }).click();
      await page.getByText("✓ The flow is valid.").waitFor();
    });

    await run.step("Firebase mode: preview calls previewFlow with the user's ID token", async () => {
      await page.getByRole("button", { name: "Preview one row" }).click();
      const dialog = page.getByRole("dialog", { name: "Preview on one row" });
      await dialog.getByRole("button", { name: "Run preview" }).click();
      await dialog.getByText("Preview answered by the previewFlow callable").waitFor();
      const call = fakes.calls.find((c) => c.name === "previewFlow");
      assert(call && call.authorization?.startsWith("Bearer "), "previewFlow was called without an ID token");
      const data = call.data as { flow: { nodes: unknown[] }; row: Record<string, string> };
      assert(data.flow.nodes.length === ctx.example.flow.nodes.length, "previewFlow got another flow");
      assert(Object.keys(data.row).length > 0, "previewFlow got an empty row");
      await dialog.getByRole("button", { name: "Close", exact: true }).click();
    });

    await run.step("Firebase mode: the CSV template button downloads the flow's input columns and one example row", async () => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CSV template" }).click()]);
      const parsed = parseCsv(fs.readFileSync(await download.path(), "utf8"));
      const inputs = inputColumnsOf(ctx.example);
      assert(JSON.stringify(parsed.columns) === JSON.stringify(inputs) && parsed.rows.length === 1, `template ${JSON.stringify(parsed)}`);
    });

    await run.step("Firebase mode: Run calls createBatch with the rows, columns and concurrency, and no null name", async () => {
      await page.getByRole("button", { name: "Run batch…" }).click();
      const dialog = page.getByRole("dialog", { name: "Run the flow over a CSV" });
      await dialog.getByRole("button", { name: "Use the example's sample CSV" }).click();
      await dialog.getByText("✓ Every row passed the checks.").waitFor();
      await dialog.getByLabel("Concurrency").fill("4");
      await dialog.getByLabel("Batch name").fill("");
      await dialog.getByRole("button", { name: /^Run \d+ rows?$/ }).click();
      await page.waitForURL(new RegExp(`#/batches/${FAKE_JOB_ID}$`));
      const call = fakes.calls.find((c) => c.name === "createBatch");
      const data = call?.data as { name?: unknown; columns: string[]; rows: unknown[]; concurrency: number; start: boolean } | undefined;
      assert(data && data.concurrency === 4 && data.start === true, `createBatch payload: ${JSON.stringify(data)?.slice(0, 200)}`);
      assert(!("name" in data), `an empty batch name was sent as ${JSON.stringify(data.name)} (the callable rejects null)`);
      assert(data.rows.length > 0 && data.columns.length > 0, "createBatch got no rows");
      await shot(page, "19-firebase-mode-batch");
    });
  } finally {
    await page.close();
    await (server as StaticServer | null)?.stop();
  }
}

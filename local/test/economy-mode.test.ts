/**
 * The batch mode on the local host: `mode: "economy"` on `POST /api/batches` is stored and shown
 * on the job (absent: `realtime`); a flow with an image step and a text step is accepted; an
 * unknown mode and a flow with nothing to batch (an image step only) answer 400 with a `mode`
 * detail and write nothing; `flowcraft-batch run --economy` with such a flow exits 2 saying why,
 * before any results file exists, and with an image and a text step runs, naming the steps that
 * stay realtime; `--estimate` shows the economy price beside the realtime one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOCAL, buildBundles, runNode } from "./support/child";
import { IMAGE_FLOW, TEXT_FLOW, csvOf } from "./support/flows";

//   topic ─▶ caption (text) ─▶ draw (image) ─▶ out
const CAPTION_IMAGE_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "caption", type: "text", data: { model: "gemini-2.5-flash", prompt: "Caption for {{topic}}" } },
    { id: "draw", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "A picture of {{caption}}" } },
    { id: "out", type: "output", data: { name: "picture" } },
  ],
  edges: [
    { source: "topic", target: "caption" },
    { source: "caption", target: "draw" },
    { source: "draw", target: "out" },
  ],
};
import { useTestServer } from "./support/test-server";

const srv = useTestServer();
const api = srv.api;
const CLI = path.join(LOCAL, "dist/cli.js");

interface Detail {
  path: string;
  message: string;
}

describe("mode over HTTP", () => {
  it("stores economy on the job and shows it; absent means realtime", async () => {
    const eco = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a", "b"]), mode: "economy" });
    expect(eco.status).toBe(201);
    const id = (eco.json.job as { id: string }).id;
    expect((await api("GET", `/api/batches/${id}`)).json.job).toMatchObject({ mode: "economy" });
    const plain = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(["a"]) });
    expect(plain.json.job).toMatchObject({ mode: "realtime" });
  });

  it("accepts an economy flow with an image step and a text step above it", async () => {
    const res = await api("POST", "/api/batches", { flow: CAPTION_IMAGE_FLOW, csv: csvOf(["a"]), mode: "economy", start: false });
    expect(res.status).toBe(201);
    expect(res.json.job).toMatchObject({ mode: "economy" });
  });

  it.each([
    ["an image-only flow in economy mode", { flow: IMAGE_FLOW, csv: csvOf(["a"]), mode: "economy" }, "nothing to batch: this flow has no text step"],
    ["an unknown mode", { flow: TEXT_FLOW, csv: csvOf(["a"]), mode: "cheap" }, ""],
  ])("%s → 400 with a mode detail, nothing written", async (_label, body, names) => {
    const before = ((await api("GET", "/api/batches")).json.jobs as unknown[]).length;
    const res = await api("POST", "/api/batches", body);
    expect(res.status).toBe(400);
    const detail = (res.json.error.details as Detail[]).find((d) => d.path === "mode");
    expect(detail?.message).toContain(names);
    expect(((await api("GET", "/api/batches")).json.jobs as unknown[]).length).toBe(before);
  });
});

describe("run --economy", () => {
  let dir: string;
  beforeAll(() => buildBundles());
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-cli-economy-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A flow file and a CSV of `topics` in the test's directory. */
  function inputs(flow: unknown, topics: string[]): { flowFile: string; rowsFile: string } {
    const flowFile = path.join(dir, "flow.json");
    const rowsFile = path.join(dir, "rows.csv");
    fs.writeFileSync(flowFile, JSON.stringify(flow));
    fs.writeFileSync(rowsFile, csvOf(topics));
    return { flowFile, rowsFile };
  }

  it("refuses a flow with nothing to batch: exit 2, saying why, no results file", async () => {
    const { flowFile, rowsFile } = inputs(IMAGE_FLOW, ["a", "b"]);
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--economy"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("economy mode has nothing to batch: this flow has no text step");
    expect(fs.existsSync(path.join(dir, "rows.results.csv"))).toBe(false);
    // Without --economy the same flow is valid (checked with --estimate: it runs nothing).
    const plain = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("economy cost   n/a (economy mode has nothing to batch");
  });

  it("runs a flow with an image step with --economy, naming the step that stays realtime", async () => {
    const { flowFile, rowsFile } = inputs(CAPTION_IMAGE_FLOW, ["a", "b"]);
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--economy", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("these steps run realtime in the row tasks, at the standard price: draw (image)");
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toMatchObject({ status: "completed", completedRows: 2 });
    // The estimate prices the caption at the batch price and the image at the standard one.
    const est = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--json"]);
    const e = JSON.parse(est.stdout.trim()) as {
      costUsd: { expected: number };
      economyCostUsd: { expected: number };
      perNode: Array<{ nodeId: string; costUsd: { expected: number } }>;
    };
    const node = (id: string) => e.perNode.find((n) => n.nodeId === id)?.costUsd.expected ?? NaN;
    expect(e.economyCostUsd.expected).toBeCloseTo(node("caption") / 2 + node("draw"), 6);
    expect(e.economyCostUsd.expected).toBeLessThan(e.costUsd.expected);
  });

  it("a text flow runs with --economy through the offline provider's batch jobs: same exit and summary, half the cost", async () => {
    const { flowFile, rowsFile } = inputs(TEXT_FLOW, ["a", "b", "c"]);
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--economy", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("economy mode, provider offline");
    expect(r.stderr).toContain("text steps go through provider batch jobs at the batch price");
    const economy = JSON.parse(r.stdout.trim().split("\n").pop()!) as { costUsd: number };
    expect(economy).toMatchObject({ status: "completed", completedRows: 3 });
    const plain = await runNode(CLI, ["run", flowFile, rowsFile, "--json"]);
    expect(plain.code).toBe(0);
    const realtime = JSON.parse(plain.stdout.trim().split("\n").pop()!) as { costUsd: number };
    expect(economy.costUsd).toBeGreaterThan(0);
    expect(economy.costUsd).toBeCloseTo(realtime.costUsd / 2, 9);
  });

  it("--estimate shows the economy price beside the realtime one for a text flow", async () => {
    const { flowFile, rowsFile } = inputs(TEXT_FLOW, ["a", "b", "c"]);
    const r = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate", "--json"]);
    expect(r.code).toBe(0);
    const est = JSON.parse(r.stdout.trim()) as { costUsd: { expected: number }; economyCostUsd: { expected: number } };
    expect(est.economyCostUsd.expected).toBeCloseTo(est.costUsd.expected / 2, 6);
    const text = await runNode(CLI, ["run", flowFile, rowsFile, "--estimate"]);
    expect(text.stdout).toMatch(/economy cost {3}low \$.*batch price/);
  });
});

/**
 * `flowcraft-batch` end to end as a child process: help, offline runs (exit 0, exit 3 with failed
 * rows, CSV and JSONL results in input order, the --json summary as the last stdout line, the
 * default results path), invalid input (exit 2, problems on stderr, nothing written), and the
 * Gemini provider through the real SDK against a local fake Gemini server: success, a 429 storm
 * that only slows the batch, and a permanent error that fails only its row with a safe message;
 * a run the circuit breaker pauses (exit 4, results so far, the summary's reason), resumed later.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FakeGeminiServer, type RecordedRequest } from "../../core/test/support/fake-gemini-server";
import { googleError, retryInfo, textResponse } from "../../core/test/support/gemini-responses";
import { spawn } from "node:child_process";
import { waitFor } from "@flowcraft/core/testing";
import { LOCAL, buildBundles, cleanEnv, runNode, startServe } from "./support/child";
import { request, waitForBatchEnd } from "./support/http-client";
import { IMAGE_FLOW, TEXT_FLOW, csvOf } from "./support/flows";
import { OfflineAiService, parseCsv } from "@flowcraft/core";
import { unzip } from "./support/unzip";
import { LOCAL_OWNER, createLocalHost } from "../src/local-host";

const CLI = path.join(LOCAL, "dist/cli.js");
let dir: string;
let flowFile: string;

beforeAll(() => buildBundles());
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-cli-"));
  flowFile = path.join(dir, "flow.json");
  fs.writeFileSync(flowFile, JSON.stringify(TEXT_FLOW));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeRows(topics: string[], name = "rows.csv"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, csvOf(topics));
  return file;
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

function readCsvColumn(file: string, column: number): string[] {
  return fs
    .readFileSync(file, "utf8")
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(",")[column]!);
}

describe("offline", () => {
  it("prints help through the npm bin", async () => {
    const r = await runNode(path.join(LOCAL, "bin/flowcraft-batch.js"), ["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("flowcraft-batch run FLOW.json ROWS.csv");
    expect(r.stdout).toContain("<ROWS>.results.csv");
  });

  it("runs every row, writes <rows>.results.csv beside the input and exits 0 with a JSON summary", async () => {
    const topics = Array.from({ length: 12 }, (_, i) => `t${i}`);
    const rows = writeRows(topics);
    const r = await runNode(CLI, ["run", flowFile, rows, "--concurrency", "4", "--json"]);
    expect(r.code).toBe(0);
    const out = path.join(dir, "rows.results.csv");
    expect(lastJson(r.stdout)).toMatchObject({ status: "completed", totalRows: 12, completedRows: 12, failedRows: 0, out });
    expect(typeof lastJson(r.stdout).jobId).toBe("string");
    expect(readCsvColumn(out, 0)).toEqual(topics);
    expect(readCsvColumn(out, 2)).toEqual(topics.map(() => "succeeded"));
    expect(r.stderr).toContain("12 succeeded");
  });

  it("exits 3 when rows fail, naming the error per row in a JSONL results file", async () => {
    const rows = writeRows(["fine", "[[fail]] broken", "also fine"]);
    const out = path.join(dir, "out/results.jsonl");
    const r = await runNode(CLI, ["run", flowFile, rows, "--out", out, "--json", "--provider", "offline"]);
    expect(r.code).toBe(3);
    expect(lastJson(r.stdout)).toMatchObject({ completedRows: 2, failedRows: 1, out });
    const records = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(records.map((x) => x.status)).toEqual(["succeeded", "failed", "succeeded"]);
    expect(records[1]!.error).toContain("[[fail]]");
  });

  it("exits 4 when the circuit breaker pauses the run: the results so far are written, the summary says why", async () => {
    const rows = writeRows(Array.from({ length: 12 }, (_, i) => `[[auth]] t${i}`));
    const out = path.join(dir, "paused.jsonl");
    const r = await runNode(CLI, ["run", flowFile, rows, "--out", out, "--concurrency", "2", "--json", "--provider", "offline"]);
    expect(r.code).toBe(4);
    const summary = lastJson(r.stdout);
    expect(summary).toMatchObject({ status: "paused", pausedReason: "circuit", pauseDetail: { code: "auth" }, completedRows: 0, totalRows: 12 });
    const failed = summary.failedRows as number;
    expect(failed).toBeGreaterThanOrEqual(5);
    expect(failed).toBeLessThan(12);
    const statuses = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { status: string }).status);
    expect(statuses).toHaveLength(12);
    expect(statuses.filter((s) => s === "failed")).toHaveLength(failed);
    expect(statuses.filter((s) => s === "pending")).toHaveLength(12 - failed);
    expect(r.stderr).toContain("paused: the circuit breaker stopped it");
  });

  it("creates no data directory for invalid input even when --data-dir is given", async () => {
    const dataDir = path.join(dir, "data");
    const r = await runNode(CLI, ["run", flowFile, writeCsv("title\na\n"), "--data-dir", dataDir]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("cancels on Ctrl-C: the batch ends cancelled, results are still written, exit code 130", async () => {
    const rows = writeRows(["[[slow:1000]] a", "[[slow:1000]] b", "[[slow:1000]] c", "[[slow:1000]] d"]);
    const child = spawn(process.execPath, [CLI, "run", flowFile, rows, "--concurrency", "1", "--json"], { env: cleanEnv() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => stderr.includes("batch "), "the batch to start");
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    expect(lastJson(stdout)).toMatchObject({ status: "cancelled" });
    const statuses = readCsvColumn(path.join(dir, "rows.results.csv"), 2);
    expect(statuses).toHaveLength(4);
    expect(statuses).toContain("cancelled");
  });

  it("copies image outputs into RESULTS.media/ and writes their cells as paths relative to the results file, with or without --data-dir", async () => {
    const imageFlow = writeFile("image-flow.json", JSON.stringify(IMAGE_FLOW));
    for (const extra of [[], ["--data-dir", path.join(dir, "kept")]]) {
      const out = path.join(dir, `pictures${extra.length}.csv`);
      const r = await runNode(CLI, ["run", imageFlow, writeRows(["a cat", "a dog"]), "--out", out, ...extra]);
      expect(r.code).toBe(0);
      const cells = readCsvColumn(out, 1);
      expect(cells).toEqual([`pictures${extra.length}.media/row-00000-draw.png`, `pictures${extra.length}.media/row-00001-draw.png`]);
      for (const cell of cells) expect(fs.readFileSync(path.join(dir, cell)).subarray(1, 4).toString()).toBe("PNG");
      expect(r.stderr).toContain(path.join(dir, `pictures${extra.length}.media`));
    }
  });

  it("--zip writes RESULTS.zip whose entries match the results: the CSV, then each image its cell names", async () => {
    const imageFlow = writeFile("image-flow.json", JSON.stringify(IMAGE_FLOW));
    const out = path.join(dir, "pics.csv");
    const r = await runNode(CLI, [
      "run",
      imageFlow,
      writeRows(["a cat", "[[fail]] a dog", "a bird"]),
      "--out",
      out,
      "--zip",
      "--columns",
      "nodes",
      "--bom",
      "--json",
    ]);
    expect(r.code).toBe(3);
    expect(lastJson(r.stdout)).toMatchObject({ out, zip: path.join(dir, "pics.zip") });
    const entries = await unzip(fs.readFileSync(path.join(dir, "pics.zip")));
    expect([...entries.keys()]).toEqual(["pics.csv", "row-00000-draw.png", "row-00002-draw.png"]);
    const csv = entries.get("pics.csv")!.toString("utf8");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const { rows } = parseCsv(csv);
    expect(rows.map((row) => row.picture)).toEqual(["row-00000-draw.png", "", "row-00002-draw.png"]);
    expect(rows.map((row) => row.failedNode)).toEqual(["", "draw", ""]);
    // The same bytes as the media folder's files.
    expect(entries.get("row-00002-draw.png")).toEqual(fs.readFileSync(path.join(dir, "pics.media", "row-00002-draw.png")));
  });

  it("refuses export flags that do not fit before running anything", async () => {
    const rows = writeRows(["a"]);
    const bad = await runNode(CLI, ["run", flowFile, rows, "--columns", "all"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--columns");
    const bom = await runNode(CLI, ["run", flowFile, rows, "--out", path.join(dir, "r.jsonl"), "--bom"]);
    expect(bom.code).toBe(2);
    expect(bom.stderr).toContain("--bom");
    expect(fs.existsSync(path.join(dir, "r.jsonl"))).toBe(false);
  });

  it("writes no media directory when the flow has no media outputs", async () => {
    const r = await runNode(CLI, ["run", flowFile, writeRows(["a"]), "--out", path.join(dir, "lines.csv")]);
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(dir, "lines.media"))).toBe(false);
  });

  it("reads a flow file saved with a UTF-8 byte order mark", async () => {
    const bomFlow = writeFile("bom-flow.json", `\uFEFF${JSON.stringify(TEXT_FLOW)}`);
    const r = await runNode(CLI, ["run", bomFlow, writeRows(["a"]), "--json"]);
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ status: "completed", completedRows: 1 });
  });

  it("creates no data directory for a CSV with a header but no rows (exit 2)", async () => {
    const dataDir = path.join(dir, "data");
    const r = await runNode(CLI, ["run", flowFile, writeCsv("topic\n"), "--data-dir", dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("rows: at least one row is required");
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("creates no data directory for a flow no document can store (a nested array, exit 2)", async () => {
    const dataDir = path.join(dir, "data");
    const nested = { ...TEXT_FLOW, nodes: TEXT_FLOW.nodes.map((n) => (n.id === "write" ? { ...n, data: { ...n.data, extra: [[1]] } } : n)) };
    fs.writeFileSync(flowFile, JSON.stringify(nested));
    const r = await runNode(CLI, ["run", flowFile, writeRows(["a"]), "--data-dir", dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nodes[1].data.extra[0]");
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("keeps the batch in --data-dir when given", async () => {
    const dataDir = path.join(dir, "data");
    const r = await runNode(CLI, ["run", flowFile, writeRows(["a"]), "--data-dir", dataDir]);
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, "flowcraft.db"))).toBe(true);
  });

  it("gives the batch --job-concurrency / --job-model-concurrency as its callLimits; a bad step type is exit 2", async () => {
    const dataDir = path.join(dir, "data");
    const r = await runNode(CLI, [
      "run",
      flowFile,
      writeRows(["a", "b"]),
      "--data-dir",
      dataDir,
      "--json",
      "--job-concurrency",
      "text=2,video=1",
      "--job-model-concurrency",
      "gemini-2.5-flash=1",
    ]);
    expect(r.code).toBe(0);
    const { jobId } = lastJson(r.stdout) as { jobId: string };
    const host = createLocalHost({ dataDir, ai: new OfflineAiService() });
    try {
      expect((await host.handlers.getJob(LOCAL_OWNER, jobId)).callLimits).toEqual({ byKind: { text: 2, video: 1 }, byModel: { "gemini-2.5-flash": 1 } });
    } finally {
      await host.close();
    }
    const bad = await runNode(CLI, ["run", flowFile, writeRows(["a"]), "--data-dir", path.join(dir, "bad-data"), "--job-concurrency", "audio=1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown step type "audio"');
  });

  it("refuses an --out it could not write (a folder, a path under a file) before running anything (exit 2)", async () => {
    const dataDir = path.join(dir, "out-data");
    const intoDir = await runNode(CLI, ["run", flowFile, writeRows(["a"]), "--out", dir, "--data-dir", dataDir]);
    expect(intoDir.code).toBe(2);
    expect(intoDir.stderr).toContain("is a directory");
    const file = path.join(dir, "a-file.txt");
    fs.writeFileSync(file, "x");
    const underFile = await runNode(CLI, ["run", flowFile, writeRows(["a"]), "--out", path.join(file, "r.csv"), "--data-dir", dataDir]);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toContain("cannot write the results file");
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("keeps the batch in $FLOWCRAFT_DATA_DIR when no --data-dir is given", async () => {
    const dataDir = path.join(dir, "env-data");
    const r = await runNode(CLI, ["run", flowFile, writeRows(["a"])], { FLOWCRAFT_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, "flowcraft.db"))).toBe(true);
  });

  it.each<[string, () => string[], string]>([
    ["a flow that names a missing column", () => [flowFile, writeCsv("title\na\n")], "topic"],
    ["a CSV row with too many cells", () => [flowFile, writeCsv('topic\na\n"b",c\n')], "rows["],
    ["a flow file that is not JSON", () => [writeFile("bad.json", "{"), writeRows(["a"])], "not valid JSON"],
    ["a missing CSV file", () => [flowFile, path.join(dir, "none.csv")], "file not found"],
    ["an unknown option", () => [flowFile, writeRows(["a"]), "--fast"], "unknown option --fast"],
    ["a concurrency out of range", () => [flowFile, writeRows(["a"]), "--concurrency", "500"], "--concurrency"],
    ["gemini without a key", () => [flowFile, writeRows(["a"]), "--provider", "gemini"], "GEMINI_API_KEY"],
  ])("exits 2 for %s, explains on stderr and writes nothing", async (_label, args, message) => {
    const argv = args();
    const before = fs.readdirSync(dir).sort();
    const r = await runNode(CLI, ["run", ...argv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });
});

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
function writeCsv(text: string): string {
  return writeFile("rows.csv", text);
}

describe("gemini through the real SDK against a fake Gemini server", () => {
  let fake: FakeGeminiServer;
  beforeEach(async () => {
    fake = await FakeGeminiServer.start();
  });
  afterEach(async () => {
    await fake.close();
  });
  const env = (): Record<string, string> => ({ GEMINI_API_KEY: "test-key-123", GOOGLE_GEMINI_BASE_URL: fake.baseUrl });
  const promptOf = (req: RecordedRequest): string => JSON.stringify(req.body);

  it("uses Gemini by default when GEMINI_API_KEY is set", async () => {
    fake.script(":generateContent", textResponse("Hello from Gemini", { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 }));
    const r = await runNode(CLI, ["run", flowFile, writeRows(["a", "b", "c"]), "--json"], env());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("provider gemini");
    expect(fake.requestsTo(":generateContent")).toHaveLength(3);
    const out = fs.readFileSync(path.join(dir, "rows.results.csv"), "utf8");
    expect(out).toContain("Hello from Gemini");
    expect(out).toContain(",5,3,8");
  });

  it("rides out a 429 storm: the batch slows down but every row succeeds", async () => {
    let rejected = 0;
    fake.script(":generateContent", () => {
      if (rejected < 8) {
        rejected++;
        return googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [retryInfo("0.05s")]);
      }
      return textResponse("after the storm");
    });
    const r = await runNode(CLI, ["run", flowFile, writeRows(["a", "b", "c", "d"]), "--concurrency", "2", "--json"], env());
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ completedRows: 4, failedRows: 0 });
    expect(fake.requestsTo(":generateContent").length).toBe(4 + 8);
  });

  it("a refused key pauses the run (exit 4); after the key is fixed, resuming the kept batch runs the rows left", async () => {
    let keyOk = false;
    fake.script(":generateContent", () => (keyOk ? textResponse("ok now") : googleError(403, "PERMISSION_DENIED", "API key not valid.")));
    const dataDir = path.join(dir, "data");
    const r = await runNode(
      CLI,
      ["run", flowFile, writeRows(Array.from({ length: 10 }, (_, i) => `t${i}`)), "--concurrency", "1", "--json", "--data-dir", dataDir],
      env(),
    );
    expect(r.code).toBe(4);
    const summary = lastJson(r.stdout);
    expect(summary).toMatchObject({ status: "paused", pausedReason: "circuit", failedRows: 5, completedRows: 0 });
    expect(fake.requestsTo(":generateContent")).toHaveLength(5);
    expect(r.stderr).toContain(`POST /api/batches/${summary.jobId as string}/resume`);

    keyOk = true;
    const serve = await startServe(["--data-dir", dataDir], env());
    try {
      const resumed = await request(serve.port, "POST", `/api/batches/${summary.jobId as string}/resume`);
      expect(resumed.status).toBe(200);
      const done = (await waitForBatchEnd(serve.port, summary.jobId as string)).json.job as Record<string, unknown>;
      expect(done).toMatchObject({ status: "completed", completedRows: 5, failedRows: 5 });
    } finally {
      serve.child.kill("SIGTERM");
      await new Promise((resolve) => serve.child.once("exit", resolve));
    }
  });

  it("fails only the row with a permanent error, with a message that carries no key", async () => {
    fake.script(":generateContent", (req) =>
      promptOf(req).includes("poison") ? googleError(400, "INVALID_ARGUMENT", "Request contains an invalid argument. key=test-key-123") : textResponse("ok"),
    );
    const out = path.join(dir, "r.jsonl");
    const r = await runNode(CLI, ["run", flowFile, writeRows(["a", "poison", "c"]), "--out", out], env());
    expect(r.code).toBe(3);
    const records = fs
      .readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(records.map((x) => x.status)).toEqual(["succeeded", "failed", "succeeded"]);
    expect(records[1]!.error!.length).toBeGreaterThan(0);
    expect(fs.readFileSync(out, "utf8")).not.toContain("test-key-123");
    expect(r.stderr).not.toContain("test-key-123");
    expect(fake.requestsTo(":generateContent").filter((q) => promptOf(q).includes("poison"))).toHaveLength(1);
  });
});

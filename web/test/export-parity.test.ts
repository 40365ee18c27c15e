/**
 * One export: the local host's download (core `exportRows`, what `GET /api/batches/:id/export.*`
 * and the CLI stream) and the Firebase-mode download built in the browser (`firebaseExportText`,
 * fed the job, results and input-row documents as Firestore holds them) are the same bytes, for
 * CSV and JSON Lines. The job covers an input column named `status`, JSON outputs, media refs,
 * formula-like cells (input and output), a failed row, and a cancelled job's unrun rows.
 */
import { PermanentError } from "../../core/src/errors";
import { exportRows } from "../../core/src/batch/export";
import { csvCell } from "../../core/src/csv/write";
import { resultsPath } from "../../core/src/batch/model";
import { makeHarness, type Harness } from "../../core/test/support/batch-harness";
import { ScriptedAi } from "../../core/test/support/scripted-ai";
import { MAX_SIGN_BATCH, firebaseExportText, firebaseExportZip, mediaRefsOf, signedMediaLink } from "../src/backend/firebase-export";
import { parseCsv } from "../../core/src/csv/read";
import type { ExportOptions } from "../../core/src/batch/export-records";
import { unzip } from "../../local/test/support/unzip";

const owner = { ownerId: "u1" };
const COLUMNS = ["topic", "status"];

/**
 *   topic ──▶ data (text, JSON schema) ──▶ out "data"
 *         ──▶ picture (image)          ──▶ out "picture"
 *         ──▶ formula (text)           ──▶ out "formula"
 */
const FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "data", type: "text", data: { prompt: "Data {{topic}}", jsonSchema: { type: "object" } } },
    { id: "picture", type: "image", data: { prompt: "Picture {{topic}}" } },
    { id: "formula", type: "text", data: { prompt: "Formula {{topic}}" } },
    { id: "o1", type: "output", data: { name: "data" } },
    { id: "o2", type: "output", data: { name: "picture" } },
    { id: "o3", type: "output", data: { name: "formula" } },
  ],
  edges: [
    { source: "topic", target: "data" },
    { source: "topic", target: "picture" },
    { source: "topic", target: "formula" },
    { source: "data", target: "o1" },
    { source: "picture", target: "o2" },
    { source: "formula", target: "o3" },
  ],
};

const ROWS = [
  { topic: "cats", status: "keep-me" },
  { topic: "=1+1", status: "-5" },
  { topic: "fail", status: "" },
  { topic: 'dogs, "quoted"', status: "@home" },
];

function ai(): ScriptedAi {
  return new ScriptedAi((call) => {
    if (call.prompt.includes("fail")) throw new PermanentError("bad_request", "The provider refused the prompt");
    if (call.label === "Data") return { text: `{"topic":"${call.prompt.length}"}`, json: { topic: call.prompt.length, tags: ["a", "b"] } };
    if (call.label === "Formula") return { text: '=HYPERLINK("http://x")' };
    return undefined;
  });
}

async function localExport(h: Harness, jobId: string, format: "csv" | "jsonl", opts: ExportOptions = {}): Promise<string> {
  let text = "";
  for await (const chunk of exportRows(h.deps, jobId, format, opts)) text += chunk;
  return text;
}

/** The documents as a Firestore client reads them (plain JSON data; the job with its id). */
async function firestoreDocs(h: Harness, jobId: string) {
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const job = { ...plain((await h.store.get(`batch_jobs/${jobId}`))!.data), id: jobId };
  const results = (await h.store.query(resultsPath(jobId))).map((d) => plain(d.data));
  const rows = (await h.store.query(`batch_jobs/${jobId}/rows`)).map((d) => ({ id: d.id, data: plain(d.data) }));
  return { job: job as never, results, rows };
}

async function expectSameBytes(h: Harness, jobId: string): Promise<Record<"csv" | "jsonl", string>> {
  const docs = await firestoreDocs(h, jobId);
  const out = { csv: "", jsonl: "" };
  for (const format of ["csv", "jsonl"] as const) {
    out[format] = await localExport(h, jobId, format);
    expect(firebaseExportText(docs.job, docs.results, docs.rows, format)).toBe(out[format]);
  }
  return out;
}

describe("local and Firebase-mode exports are byte-identical", () => {
  it("for a finished job with a `status` input column, JSON outputs, media refs, formulas and a failed row", async () => {
    const h = makeHarness({ ai: ai() });
    const job = await h.handlers.createJob({ ...owner, flow: FLOW, columns: COLUMNS, rows: ROWS, concurrency: 2, start: true });
    await h.drain();
    const out = await expectSameBytes(h, job.id);
    const [header, first, second] = out.csv.split("\r\n");
    expect(header).toBe("topic,status,data,picture,formula,status,error,durationMs,inputTokens,outputTokens,totalTokens,costUsd");
    const formula = csvCell('=HYPERLINK("http://x")');
    expect(first).toBe(`cats,keep-me,"{""topic"":""9""}",mem:batch_jobs/${job.id}/media/000000/picture.png,${formula},succeeded,,0,3,6,9,0.0390109`);
    // Formula-like input cells go through the same escape as everything else.
    expect(second?.startsWith(`${csvCell("=1+1")},${csvCell("-5")},`)).toBe(true);
    const lines = out.jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ topic: "cats", "input.status": "keep-me", status: "succeeded", formula: '=HYPERLINK("http://x")' });
    expect(typeof lines[0]!.data).toBe("string");
    expect(lines[2]).toMatchObject({ status: "failed", error: "The provider refused the prompt" });
  });

  it("for a cancelled job, whose unrun rows are `cancelled`", async () => {
    // One row per delivery (no lane groups): the delivery before the cancel runs row 0 only.
    const h = makeHarness({ ai: ai(), limits: { groupTargetMs: 0 } });
    const job = await h.handlers.createJob({ ...owner, flow: FLOW, columns: COLUMNS, rows: ROWS, concurrency: 1, start: true });
    const first = h.queue.take()!;
    await h.handlers.runRowTask(first.payload, { taskId: first.id, retryCount: 0, isLastAttempt: false });
    await h.handlers.cancelJob(owner, job.id);
    await h.drain();
    expect((await h.handlers.getJob(owner, job.id)).status).toBe("cancelled");
    const out = await expectSameBytes(h, job.id);
    const statuses = out.jsonl
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { status: string }).status);
    expect(statuses).toEqual(["succeeded", "cancelled", "cancelled", "cancelled"]);
  });
});

// Without the `status` input column, so the CSV reads back by column name.
const TOPICS = ROWS.map(({ topic }) => ({ topic }));

describe("export options and the ZIP in Firebase mode", () => {
  it("columns=nodes, spread=json and bom=1 give the same bytes as the local host", async () => {
    const h = makeHarness({ ai: ai() });
    const job = await h.handlers.createJob({ ...owner, flow: FLOW, columns: ["topic"], rows: TOPICS, concurrency: 2, start: true });
    await h.drain();
    const docs = await firestoreDocs(h, job.id);
    for (const opts of [{ nodes: true }, { spread: true }, { nodes: true, spread: true, bom: true }]) {
      for (const format of ["csv", "jsonl"] as const) {
        const o = format === "jsonl" ? { ...opts, bom: false } : opts;
        expect(firebaseExportText(docs.job, docs.results, docs.rows, format, o)).toBe(await localExport(h, job.id, format, o));
      }
    }
    const csv = firebaseExportText(docs.job, docs.results, docs.rows, "csv", { nodes: true, bom: true });
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(parseCsv(csv).rows[2]).toMatchObject({ status: "failed", failedNode: expect.stringMatching(/^(data|picture|formula)$/) });
  });

  it("zips the CSV and every image read through the owner's storage reads, the CSV's cells naming the entries", async () => {
    const h = makeHarness({ ai: ai() });
    const job = await h.handlers.createJob({ ...owner, flow: FLOW, columns: ["topic"], rows: TOPICS, concurrency: 2, start: true });
    await h.drain();
    const docs = await firestoreDocs(h, job.id);
    const read: string[] = [];
    const blob = await firebaseExportZip({
      job: docs.job,
      resultDocs: docs.results,
      rowDocs: docs.rows,
      csvName: "job.csv",
      options: { nodes: true },
      readMedia: async (ref) => {
        read.push(ref);
        return (await h.deps.blobs.get(ref))!.data;
      },
    });
    const entries = await unzip(Buffer.from(await blob.arrayBuffer()));
    const names = [...entries.keys()];
    expect(names[0]).toBe("job.csv");
    const { rows } = parseCsv(entries.get("job.csv")!.toString("utf8"));
    const cells = rows.map((r) => r.picture).filter((p) => p);
    expect(names.slice(1)).toEqual(cells);
    expect(cells).toEqual(["row-00000-picture.png", "row-00001-picture.png", "row-00003-picture.png"]);
    expect(rows.map((r) => r["picture:output"]).filter((p) => p)).toEqual(cells);
    expect(read).toHaveLength(3);
    expect(entries.get("row-00001-picture.png")).toEqual(Buffer.from((await h.deps.blobs.get(read[1]!))!.data));
  });
});

describe("signed media links in Firebase mode", () => {
  it("collects each media ref once, signs them in batches of the callable's limit, and writes the URLs in the cells", async () => {
    const h = makeHarness({ ai: ai() });
    const job = await h.handlers.createJob({ ...owner, flow: FLOW, columns: ["topic"], rows: TOPICS, concurrency: 2, start: true });
    await h.drain();
    const docs = await firestoreDocs(h, job.id);
    const refs = mediaRefsOf(docs.results);
    expect(refs).toHaveLength(3);
    const calls: string[][] = [];
    const link = await signedMediaLink(refs, async (part) => {
      calls.push(part);
      return part.map((r) => `https://signed.example/${encodeURIComponent(r)}?X-Goog-Expires=900`);
    });
    expect(calls).toEqual([refs]);
    const { rows } = parseCsv(firebaseExportText(docs.job, docs.results, docs.rows, "csv", { nodes: true, mediaLink: link }));
    expect(rows[0]!.picture).toBe(`https://signed.example/${encodeURIComponent(refs[0]!)}?X-Goog-Expires=900`);
    expect(rows[0]!["picture:output"]).toBe(rows[0]!.picture);
    // Over the callable's limit, the refs go in several calls, in order.
    const many = Array.from({ length: MAX_SIGN_BATCH + 3 }, (_, i) => `gs://b/batch_jobs/j/${i}.png`);
    const sizes: number[] = [];
    const big = await signedMediaLink(many, async (part) => (sizes.push(part.length), part.map((r) => `${r}#signed`)));
    expect(sizes).toEqual([MAX_SIGN_BATCH, 3]);
    expect(big({ ref: many[MAX_SIGN_BATCH + 1]!, mimeType: "image/png", rowIndex: 0, nodeId: "x" })).toBe(`${many[MAX_SIGN_BATCH + 1]!}#signed`);
  });
});

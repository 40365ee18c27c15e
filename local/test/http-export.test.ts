/**
 * Export options and the ZIP over a real server: `?columns=nodes&spread=json&bom=1`, media cells
 * as `/api/media/…` links that open, and `GET /api/batches/:id/export.zip` unpacked with yauzl
 * (the CSV's media cells name exactly the entries beside it), after a run and while it runs.
 */
import { parseCsv } from "@flowcraft/core";
import { IMAGE_FLOW, csvOf } from "./support/flows";
import { request, requestBytes, waitForBatchEnd } from "./support/http-client";
import { useTestServer } from "./support/test-server";
import { unzip } from "./support/unzip";

const srv = useTestServer();
const api = srv.api;

// topic ──▶ facts (text, JSON {title, score}) ──▶ out "facts"
//      └──▶ draw (image) ──▶ out "picture"
const MIXED_FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    {
      id: "facts",
      type: "text",
      data: {
        model: "gemini-2.5-flash",
        prompt: "Facts about {{topic}}",
        jsonSchema: { type: "object", properties: { title: { type: "string" }, score: { type: "number" } } },
      },
    },
    { id: "draw", type: "image", data: { model: "gemini-2.5-flash-image", prompt: "A picture of {{topic}}" } },
    { id: "o1", type: "output", data: { name: "facts" } },
    { id: "o2", type: "output", data: { name: "picture" } },
  ],
  edges: [
    { source: "topic", target: "facts" },
    { source: "topic", target: "draw" },
    { source: "facts", target: "o1" },
    { source: "draw", target: "o2" },
  ],
};

async function runBatch(flow: unknown, topics: string[], name = "Pics"): Promise<string> {
  const created = await api("POST", "/api/batches", { name, flow, csv: csvOf(topics), concurrency: 2, start: true });
  expect(created.status).toBe(201);
  const id = created.json.job.id as string;
  await waitForBatchEnd(srv.port, id);
  return id;
}

describe("export options over HTTP", () => {
  it("adds node columns, spreads JSON fields, starts with a BOM and links media to /api/media", async () => {
    const id = await runBatch(MIXED_FLOW, ["cats", "[[fail]] dogs"]);
    const reply = await requestBytes(srv.port, `/api/batches/${id}/export.csv?columns=nodes&spread=json&bom=1`);
    expect(reply.status).toBe(200);
    expect(reply.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const { columns, rows } = parseCsv(reply.bytes.toString("utf8"));
    expect(columns).toEqual(
      expect.arrayContaining(["failedNode", "attempts", "pass", "facts:status", "facts:model", "draw:output", "facts.title", "facts.score"]),
    );
    expect(rows[0]).toMatchObject({ status: "succeeded", "facts:status": "succeeded", "facts:model": "gemini-2.5-flash", failedNode: "" });
    expect(rows[1]).toMatchObject({ status: "failed", failedNode: expect.stringMatching(/^(facts|draw)$/) });
    const link = rows[0]!.picture!;
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/api/media/local%3Abatch_jobs/`));
    expect(rows[0]!["draw:output"]).toBe(link);
    const media = await requestBytes(srv.port, new URL(link).pathname);
    expect(media.status).toBe(200);
    expect(media.bytes.subarray(1, 4).toString()).toBe("PNG");
  });

  it("refuses an unknown option or value, and a BOM on JSON Lines, naming the parameter", async () => {
    const id = await runBatch(IMAGE_FLOW, ["a"]);
    const bad = await api("GET", `/api/batches/${id}/export.csv?columns=every`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json.error.details)).toContain("columns");
    expect((await api("GET", `/api/batches/${id}/export.csv?colums=nodes`)).status).toBe(400);
    const bom = await api("GET", `/api/batches/${id}/export.jsonl?bom=1`);
    expect(bom.status).toBe(400);
    expect(JSON.stringify(bom.json.error.details)).toContain("bom");
    expect((await api("GET", `/api/batches/nope/export.zip`)).status).toBe(404);
  });
});

describe("GET /api/batches/:id/export.zip", () => {
  it("holds the results CSV and every image, named by row and node, matching the CSV's cells", async () => {
    const id = await runBatch(IMAGE_FLOW, ["a cat", "a dog", "a bird"], "My pics");
    const reply = await requestBytes(srv.port, `/api/batches/${id}/export.zip?columns=nodes`);
    expect(reply.status).toBe(200);
    expect(reply.type).toBe("application/zip");
    const entries = await unzip(reply.bytes);
    expect([...entries.keys()]).toEqual(["My_pics.results.csv", "row-00000-draw.png", "row-00001-draw.png", "row-00002-draw.png"]);
    const { rows } = parseCsv(entries.get("My_pics.results.csv")!.toString("utf8"));
    expect(rows.map((r) => r.picture)).toEqual(["row-00000-draw.png", "row-00001-draw.png", "row-00002-draw.png"]);
    expect(rows.map((r) => r["draw:output"])).toEqual(rows.map((r) => r.picture));
    // Each entry holds the very bytes the media route serves for that row.
    const results = (await api("GET", `/api/batches/${id}/results`)).json.results as { rowIndex: number; outputs: { picture: { ref: string } } }[];
    for (const r of results) {
      const served = await requestBytes(srv.port, `/api/media/${encodeURIComponent(r.outputs.picture.ref)}`);
      expect(entries.get(`row-0000${r.rowIndex}-draw.png`)).toEqual(served.bytes);
    }
  });

  it("works while the batch runs: only finished rows' media, the rest pending", async () => {
    const topics = ["now", "[[slow:3000]] later", "[[slow:3000]] much later"];
    const created = await api("POST", "/api/batches", { name: "live", flow: IMAGE_FLOW, csv: csvOf(topics), concurrency: 1, start: true });
    const id = created.json.job.id as string;
    // Wait until the first row is in.
    for (let i = 0; i < 100; i++) {
      const job = (await api("GET", `/api/batches/${id}`)).json.job as { completedRows: number };
      if (job.completedRows >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const entries = await unzip((await requestBytes(srv.port, `/api/batches/${id}/export.zip`)).bytes);
    const { rows } = parseCsv(entries.get("live.results.csv")!.toString("utf8"));
    const named = rows.map((r) => r.picture).filter((p) => p);
    expect(named.length).toBeGreaterThanOrEqual(1);
    expect([...entries.keys()].slice(1)).toEqual(named);
    expect(rows.map((r) => r.status)).toContain("pending");
    await request(srv.port, "POST", `/api/batches/${id}/cancel`);
    await waitForBatchEnd(srv.port, id);
  });
});

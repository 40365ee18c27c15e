/**
 * The `rerunRows` callable, through the exported functions (wrapped callable → runBatchRow.run →
 * the wrapped result trigger): all rows re-run with an edited prompt call the provider only for
 * the changed node, counts stay exact, and bad requests map to `invalid-argument` /
 * `failed-precondition` with details, changing nothing.
 */
import type { Job, RowResult } from "@flowcraft/core";
import { CountingAi } from "../../core/test/support/counting-ai";
import { input, output, rawFlow, text } from "../../core/test/support/flows";
import { Harness, auth, fft, httpsErrorOf } from "./support/harness";

afterAll(() => fft.cleanup());

//   topic ─▶ gen ─▶ out "summary"
//   topic ─▶ tag ─▶ tagOut "tag"
const flowWith = (genPrompt: string) =>
  rawFlow(
    [input("topic"), text("gen", genPrompt), text("tag", "Tag {{topic}}"), output("out", "summary"), output("tagOut", "tag")],
    "topic>gen gen>out topic>tag tag>tagOut",
  );

async function finished(h: Harness, topics: string[]): Promise<Job> {
  const { job } = await h.createBatch({
    data: { name: "t", flow: flowWith("Summarize {{topic}}"), columns: ["topic"], rows: topics.map((topic) => ({ topic })), concurrency: 2, start: true },
    auth: auth("alice"),
  } as never);
  await h.drain();
  return (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
}

describe("rerunRows callable", () => {
  it("re-runs every row with an edited prompt: one call per row, the unchanged node kept", async () => {
    const ai = new CountingAi();
    const h = new Harness({ ai });
    const job = await finished(h, ["a", "b", "c"]);
    expect(job).toMatchObject({ status: "completed", completedRows: 3 });
    const before = ai.generations;
    const out = await h.rerunRows({ data: { jobId: job.id, rows: "all", flow: flowWith("Shorten {{topic}}") }, auth: auth("alice") } as never);
    expect(out).toMatchObject({ rows: 3, job: { status: "processing", pass: 1 } });
    await h.drain();
    expect(h.errors).toEqual([]);
    expect(ai.generations - before).toBe(3);
    const final = (await h.store.get<Job>(`batch_jobs/${job.id}`))!.data;
    expect(final).toMatchObject({ status: "completed", completedRows: 3, failedRows: 0, pass: 1 });
    const results = await h.store.query<RowResult>(`batch_jobs/${job.id}/results`, { orderBy: { field: "rowIndex" } });
    for (const r of results) expect(r.data).toMatchObject({ pass: 1, trace: { tag: { status: "resumed" }, gen: { status: "succeeded" } } });
  });

  it("maps bad requests: a malformed selection, a bad flow, another owner's batch, no failed rows", async () => {
    const h = new Harness({ ai: new CountingAi() });
    const job = await finished(h, ["a"]);
    const call = (data: unknown, uid = "alice") => httpsErrorOf(h.rerunRows({ data, auth: auth(uid) } as never));
    const malformed = await call({ jobId: job.id, rows: "some" });
    expect(malformed.code).toBe("invalid-argument");
    expect(JSON.stringify(malformed.details)).toContain('"path":"rows"');
    const badFlow = await call({ jobId: job.id, rows: "all", flow: rawFlow([input("x", "nope"), output("o", "o")], "x>o") });
    expect(badFlow.code).toBe("invalid-argument");
    expect((badFlow.details as { code: string }).code).toBe("invalid_flow");
    expect((await call({ jobId: job.id, rows: "all" }, "bob")).code).toBe("not-found");
    expect((await call({ jobId: job.id, rows: "failed" })).code).toBe("failed-precondition");
    expect((await h.store.get<Job>(`batch_jobs/${job.id}`))!.data).toMatchObject({ status: "completed", pass: 0 });
  });
});

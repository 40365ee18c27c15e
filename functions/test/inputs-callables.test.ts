/**
 * listBatchRows over firebase-functions-test: the owner's input cells by row index, paged; another
 * user's batch is not-found; bad payloads are invalid-argument naming the field.
 */
import { OfflineAiService } from "@flowcraft/core";
import { Harness, auth, fft, httpsErrorOf, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `t${i}` }));

describe("listBatchRows", () => {
  const h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
  const create = async (n: number): Promise<string> =>
    (await h.createBatch({ data: { flow: textFlow(), columns: ["topic"], rows: rows(n), start: false }, auth: auth("alice") } as never)).job.id;

  it("pages the owner's input cells by row index", async () => {
    const jobId = await create(5);
    const first = await h.listBatchRows({ data: { jobId, limit: 2 }, auth: auth("alice") } as never);
    expect(first).toEqual({
      columns: ["topic"],
      rows: [
        { rowIndex: 0, cells: { topic: "t0" } },
        { rowIndex: 1, cells: { topic: "t1" } },
      ],
      nextCursor: "2",
    });
    const rest = await h.listBatchRows({ data: { jobId, cursor: first.nextCursor, limit: 10 }, auth: auth("alice") } as never);
    expect(rest.rows.map((r) => r.rowIndex)).toEqual([2, 3, 4]);
    expect(rest.nextCursor).toBeNull();
  });

  it("answers not-found to another user and invalid-argument to a bad cursor or limit", async () => {
    const jobId = await create(2);
    expect((await httpsErrorOf(h.listBatchRows({ data: { jobId }, auth: auth("mallory") } as never))).code).toBe("not-found");
    const badCursor = await httpsErrorOf(h.listBatchRows({ data: { jobId, cursor: "x" }, auth: auth("alice") } as never));
    expect(badCursor.code).toBe("invalid-argument");
    expect((badCursor.details as { details: { path: string }[] }).details[0]!.path).toBe("cursor");
    const badLimit = await httpsErrorOf(h.listBatchRows({ data: { jobId, limit: 0 }, auth: auth("alice") } as never));
    expect((badLimit.details as { details: { path: string }[] }).details[0]!.path).toBe("limit");
    expect((await httpsErrorOf(h.listBatchRows({ data: { jobId } } as never))).code).toBe("unauthenticated");
  });
});

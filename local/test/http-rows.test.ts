/**
 * `GET /api/batches/:id/rows?cursor=&limit=`: a batch's input cells by row index, paged; bad
 * cursors and limits are 400s naming the field, unknown batches 404.
 */
import { TEXT_FLOW, csvOf } from "./support/flows";
import { useTestServer } from "./support/test-server";

const srv = useTestServer();
const api = srv.api;

async function created(rows: number): Promise<string> {
  const topics = Array.from({ length: rows }, (_, i) => `topic, "${i}"`);
  const reply = await api("POST", "/api/batches", { flow: TEXT_FLOW, csv: csvOf(topics) });
  expect(reply.status).toBe(201);
  return reply.json.job.id as string;
}

describe("GET /api/batches/:id/rows", () => {
  it("pages the input cells by row index, also before the batch runs", async () => {
    const id = await created(7);
    const first = await api("GET", `/api/batches/${id}/rows?limit=3`);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      columns: ["topic"],
      rows: [0, 1, 2].map((i) => ({ rowIndex: i, cells: { topic: `topic, "${i}"` } })),
      nextCursor: "3",
    });
    const last = await api("GET", `/api/batches/${id}/rows?limit=3&cursor=6`);
    expect(last.json.rows).toEqual([{ rowIndex: 6, cells: { topic: 'topic, "6"' } }]);
    expect(last.json.nextCursor).toBeNull();
  });

  it("answers 400 naming the field for a bad cursor or limit, and 404 for an unknown batch", async () => {
    const id = await created(2);
    const badCursor = await api("GET", `/api/batches/${id}/rows?cursor=abc`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.json.error.details).toEqual([expect.objectContaining({ path: "cursor" })]);
    const badLimit = await api("GET", `/api/batches/${id}/rows?limit=5000`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.json.error.details[0].path).toBe("limit");
    expect((await api("GET", "/api/batches/nope/rows")).status).toBe(404);
  });
});

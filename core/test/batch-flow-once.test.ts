/**
 * A batch validates its flow once per instance: at create (the request's flow), then once when the
 * instance first runs one of its rows (the stored snapshot); every row after that, the engine, the
 * cost and the breaker reuse that `ValidFlow`. The spy calls the real parseFlow and only counts.
 */
import * as parse from "../src/flow/parse";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";

describe("flow validation per batch", () => {
  afterEach(() => jest.restoreAllMocks());

  it("parses the flow twice for a 40-row batch: once at create, once for all its rows", async () => {
    const spy = jest.spyOn(parse, "parseFlow");
    const h = makeHarness();
    const job = await h.handlers.createJob({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(40), concurrency: 4 });
    const atCreate = spy.mock.calls.length;
    await h.handlers.startJob({ ownerId: "u1" }, job.id);
    await h.drain();
    const end = await h.handlers.getJob({ ownerId: "u1" }, job.id);
    expect(end.status).toBe("completed");
    expect(end.completedRows).toBe(40);
    expect(atCreate).toBe(1);
    expect(spy.mock.calls.length).toBe(2);
  });
});

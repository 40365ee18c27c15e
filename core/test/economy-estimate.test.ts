/**
 * The estimate shows both prices: `economyCostUsd` is the text calls at the batch price (half the
 * realtime figure for a text flow, at every level); for a flow with media the batched text nodes
 * at the batch price and the realtime steps at the standard price; null when nothing is batched.
 */
import { BATCH_PRICE_FACTOR } from "../src/economy/economy-cost";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";
import { image, input, output, rawFlow, text } from "./support/flows";

const owner = { ownerId: "u1" };

describe("estimate: economy price beside realtime", () => {
  test("a text flow's economy figure is the realtime figure at the batch price", async () => {
    const h = makeHarness();
    const est = await h.handlers.estimateBatch(owner, { flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(40), concurrency: 2 });
    expect(est.costUsd.expected).toBeGreaterThan(0);
    expect(est.economyCostUsd).not.toBeNull();
    for (const l of ["low", "expected", "high"] as const) {
      expect(est.economyCostUsd![l]).toBeCloseTo(est.costUsd[l] * BATCH_PRICE_FACTOR, 6);
    }
  });

  //   topic ─▶ caption (text) ─▶ picture (image) ─▶ alt (text) ─▶ out
  test("a flow with an image node: batched text at the batch price, the image and the text below it at the standard price", async () => {
    const h = makeHarness();
    const flow = rawFlow(
      [
        input("topic"),
        text("caption", "Caption {{topic}}"),
        image("picture", "Draw {{caption}}"),
        text("alt", "Alt text for {{caption}}"),
        output("out", "out"),
      ],
      "topic>caption caption>picture picture>alt alt>out",
    );
    const est = await h.handlers.estimateBatch(owner, { flow, columns: ["topic"], rows: [{ topic: "a" }, { topic: "b" }], concurrency: 1 });
    const cost = (id: string) => est.perNode.find((n) => n.nodeId === id)?.costUsd.expected ?? NaN;
    expect(cost("caption")).toBeGreaterThan(0);
    expect(cost("picture")).toBeGreaterThan(0);
    expect(cost("alt")).toBeGreaterThan(0);
    expect(est.economyCostUsd?.expected).toBeCloseTo(cost("caption") * BATCH_PRICE_FACTOR + cost("picture") + cost("alt"), 6);
    expect(est.economyCostUsd!.expected).toBeLessThan(est.costUsd.expected);
  });

  //   topic ─▶ picture (image) ─▶ out
  test("a flow with nothing to batch has no economy figure", async () => {
    const h = makeHarness();
    const flow = rawFlow([input("topic"), image("picture", "Draw {{topic}}"), output("out", "out")], "topic>picture picture>out");
    const est = await h.handlers.estimateBatch(owner, { flow, columns: ["topic"], rows: [{ topic: "a" }], concurrency: 1 });
    expect(est.costUsd.expected).toBeGreaterThan(0);
    expect(est.economyCostUsd).toBeNull();
  });
});

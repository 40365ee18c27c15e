/**
 * The batch mode on create: `economy` is stored on the job (default `realtime`), enters the
 * request hash; a flow with image / video nodes is accepted (they, and text nodes below them, stay
 * realtime: `economyPlan`), and only a flow with nothing to batch is refused before anything is
 * written, with a `mode` detail saying why.
 */
import { ValidationError } from "../src/errors";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";
import { economyPlan } from "../src/economy/economy-mode";
import { flowOf, image, input, output, rawFlow, text, video } from "./support/flows";

const good = () => ({ ownerId: "u1", flow: TWO_STEP_FLOW, columns: COLUMNS, rows: rowsOf(3), concurrency: 2 });

/**
 *   topic ─▶ caption (text) ─▶ picture (image) ─▶ out
 */
const MEDIA_FLOW = rawFlow(
  [input("topic"), text("caption", "Caption {{topic}}"), image("picture", "Draw {{caption}}"), output("out", "out")],
  "topic>caption caption>picture picture>out",
);

describe("createJob mode", () => {
  test("economy is stored on the job; absent means realtime", async () => {
    const h = makeHarness();
    const eco = await h.handlers.createJob({ ...good(), mode: "economy" });
    const plain = await h.handlers.createJob(good());
    expect(eco.mode).toBe("economy");
    expect(plain.mode).toBe("realtime");
    expect((await h.handlers.getJob({ ownerId: "u1" }, eco.id)).mode).toBe("economy");
  });

  test("an economy flow with an image node is accepted; the same flow is fine in realtime too", async () => {
    const h = makeHarness();
    const one = { ...good(), columns: ["topic"], rows: [{ topic: "a" }], flow: MEDIA_FLOW };
    await expect(h.handlers.createJob({ ...one, mode: "economy" })).resolves.toMatchObject({ mode: "economy" });
    await expect(h.handlers.createJob(one)).resolves.toMatchObject({ mode: "realtime" });
  });

  test.each([
    // topic ─▶ picture (image) ─▶ out
    ["no text node", rawFlow([input("topic"), image("picture", "Draw {{topic}}"), output("out", "out")], "topic>picture picture>out"), "no text step"],
    // topic ─▶ picture (image) ─▶ caption (text) ─▶ out
    [
      "only a text node below an image node",
      rawFlow(
        [input("topic"), image("picture", "Draw {{topic}}"), text("caption", "Caption {{topic}}"), output("out", "out")],
        "topic>picture picture>caption caption>out",
      ),
      'waits for an image or video step and runs realtime in its row ("caption")',
    ],
  ])("an economy flow with %s has nothing to batch: refused with a mode detail; nothing written", async (_label, flow, names) => {
    const h = makeHarness();
    const err = await h.handlers.createJob({ ...good(), columns: ["topic"], rows: [{ topic: "a" }], flow, mode: "economy" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const detail = (err as ValidationError).details?.find((d) => d.path === "mode");
    expect(detail?.message).toContain("nothing to batch");
    expect(detail?.message).toContain(names);
    expect(detail?.message).toContain("realtime mode");
    expect(h.store.writeLog).toHaveLength(0);
  });

  test("an unknown mode is a malformed request naming the field", async () => {
    const h = makeHarness();
    const err = await h.handlers.createJob({ ...good(), mode: "cheap" as "economy" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details?.some((d) => d.path === "mode")).toBe(true);
  });

  test("the same request id with another mode is a conflict, not a replay", async () => {
    const h = makeHarness();
    await h.handlers.createJob({ ...good(), requestId: "req-mode-1" });
    const err = await h.handlers.createJob({ ...good(), requestId: "req-mode-1", mode: "economy" }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("conflict");
  });
});

describe("economyPlan", () => {
  //   topic ─▶ caption (text) ─▶ picture (image) ─▶ alt (text) ─▶ tags (text) ─▶ out
  //        └─▶ title (text) ─▶ clip (video)
  test("batches the text nodes with no image or video above them; the rest stay realtime, saying why", () => {
    const flow = flowOf(
      [
        input("topic"),
        text("caption", "Caption {{topic}}"),
        image("picture", "Draw {{caption}}"),
        text("alt", "Alt text for {{caption}}"),
        text("tags", "Tags for {{alt}}"),
        text("title", "Title {{topic}}"),
        video("clip", "Film {{title}}"),
        output("out", "out"),
      ],
      "topic>caption caption>picture picture>alt alt>tags topic>title title>clip tags>out",
    );
    expect(economyPlan(flow)).toEqual({
      batched: ["caption", "title"],
      realtime: [
        { id: "picture", type: "image", reason: "media" },
        { id: "alt", type: "text", reason: "below-media" },
        { id: "tags", type: "text", reason: "below-media" },
        { id: "clip", type: "video", reason: "media" },
      ],
    });
  });
});

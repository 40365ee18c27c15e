/**
 * The batch mode on create: `economy` is stored on the job (default `realtime`), enters the
 * request hash, and a flow the economy runner cannot run (image / video nodes) is refused before
 * anything is written, with a `mode` detail naming the nodes.
 */
import { ValidationError } from "../src/errors";
import { COLUMNS, TWO_STEP_FLOW, makeHarness, rowsOf } from "./support/batch-harness";
import { image, input, output, rawFlow, text } from "./support/flows";

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

  test("an economy flow with an image node is refused with a mode detail naming it; nothing written", async () => {
    const h = makeHarness();
    const err = await h.handlers
      .createJob({ ...good(), columns: ["topic"], rows: [{ topic: "a" }], flow: MEDIA_FLOW, mode: "economy" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const detail = (err as ValidationError).details?.find((d) => d.path === "mode");
    expect(detail?.message).toContain('"picture" (image)');
    expect(detail?.message).toContain("realtime");
    expect(h.store.writeLog).toHaveLength(0);
    // The same flow is fine in realtime mode.
    await expect(h.handlers.createJob({ ...good(), columns: ["topic"], rows: [{ topic: "a" }], flow: MEDIA_FLOW })).resolves.toMatchObject({
      mode: "realtime",
    });
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

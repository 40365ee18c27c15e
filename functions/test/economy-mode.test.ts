/**
 * createBatch's `mode` through the real exported callable: `economy` is stored on the job
 * document (absent: `realtime`); a flow with a text step and an image step is taken; an unknown
 * mode and a flow with nothing to batch (an image node only) are invalid-argument with a `mode`
 * detail, and nothing is written for them.
 */
import { OfflineAiService } from "@flowcraft/core";
import { image, input, output, rawFlow, text } from "../../core/test/support/flows";
import { Harness, auth, fft, httpsErrorOf, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

const createReq = (data: Record<string, unknown>) =>
  ({ data: { flow: textFlow(), columns: ["topic"], rows: [{ topic: "a" }], start: false, ...data }, auth: auth("alice") }) as never;

//   topic ─▶ draw (image) ─▶ out
const IMAGE_FLOW = rawFlow([input("topic"), image("draw", "A picture of {{topic}}"), output("out", "picture")], "topic>draw draw>out");
//   topic ─▶ caption (text) ─▶ draw (image) ─▶ out
const CAPTION_IMAGE_FLOW = rawFlow(
  [input("topic"), text("caption", "Caption {{topic}}"), image("draw", "A picture of {{caption}}"), output("out", "picture")],
  "topic>caption caption>draw draw>out",
);

describe("createBatch mode", () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
  });

  it("stores economy on the job document; absent means realtime", async () => {
    const { job } = await h.createBatch(createReq({ mode: "economy" }));
    expect(job.mode).toBe("economy");
    expect((await h.store.get(`batch_jobs/${job.id}`))?.data).toMatchObject({ mode: "economy" });
    const plain = await h.createBatch(createReq({}));
    expect(plain.job.mode).toBe("realtime");
  });

  it("takes an economy flow with a text step and an image step", async () => {
    const { job } = await h.createBatch(createReq({ flow: CAPTION_IMAGE_FLOW, mode: "economy" }));
    expect((await h.store.get(`batch_jobs/${job.id}`))?.data).toMatchObject({ mode: "economy" });
  });

  it.each([
    ["an image-only flow in economy mode", { flow: IMAGE_FLOW, mode: "economy" }, "nothing to batch: this flow has no text step"],
    ["an unknown mode", { mode: "cheap" }, ""],
  ])("%s is invalid-argument with a mode detail; nothing written", async (_label, data, names) => {
    const err = await httpsErrorOf(h.createBatch(createReq(data)));
    expect(err.code).toBe("invalid-argument");
    const details = (err.details as { details: { path: string; message: string }[] }).details;
    expect(details.find((d) => d.path === "mode")?.message).toContain(names);
    expect(await h.store.count("batch_jobs")).toBe(0);
  });
});

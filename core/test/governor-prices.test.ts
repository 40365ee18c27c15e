import { DEFAULT_PRICES, PriceTable, costOf, withPrices } from "../src/governor/prices";

describe("price table and costOf", () => {
  it.each([
    ["text: input and output per 1M tokens", "gemini-2.5-flash", { usage: { inputTokens: 1_000_000, outputTokens: 200_000 } }, 0.3 + 0.5],
    ["text: a small call", "gemini-2.5-pro", { usage: { inputTokens: 1_000, outputTokens: 500 } }, 0.00125 + 0.005],
    ["image: per image", "imagen-4.0-generate-001", { images: 3 }, 0.12],
    ["gemini image: prompt tokens plus the image", "gemini-2.5-flash-image", { usage: { inputTokens: 1_000_000, outputTokens: 1290 }, images: 1 }, 0.3 + 0.039],
    ["video: per second", "veo-3.0-fast-generate-001", { videoSeconds: 8 }, 1.2],
    ["nothing used costs nothing", "gemini-2.5-flash", {}, 0],
    ["a flat price per call adds to the rest", "per-call", { usage: { inputTokens: 1_000_000, outputTokens: 0 }, requests: 3 }, 1 + 3 * 0.01],
  ])("%s", (_title, model, billed, usd) => {
    const r = costOf(model, billed, withPrices(DEFAULT_PRICES, "with-per-call", { "per-call": { inputPerMTokens: 1, perRequest: 0.01 } }));
    expect(r.known).toBe(true);
    expect(r.usd).toBeCloseTo(usd, 9);
  });

  it("says unknown, not zero, for an unknown model or a part the model has no price for", () => {
    expect(costOf("some-new-model", { usage: { inputTokens: 10, outputTokens: 1 } })).toEqual({ known: false, usd: 0, reason: "unknown_model" });
    expect(costOf("gemini-2.5-flash", { videoSeconds: 4 })).toEqual({ known: false, usd: 0, reason: "unpriced_part" });
  });

  it("is overridable per model and field under a new version, leaving the default untouched", () => {
    const custom = withPrices(DEFAULT_PRICES, "contract-2027", { "gemini-2.5-flash": { outputPerMTokens: 1 }, "my-model": { inputPerMTokens: 2 } });
    expect(custom.version).toBe("contract-2027");
    expect(costOf("gemini-2.5-flash", { usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } }, custom).usd).toBeCloseTo(1.3, 9);
    expect(costOf("my-model", { usage: { inputTokens: 500_000, outputTokens: 0 } }, custom).usd).toBeCloseTo(1, 9);
    expect(DEFAULT_PRICES.models["gemini-2.5-flash"]?.outputPerMTokens).toBe(2.5);
    expect(PriceTable.safeParse(custom).success).toBe(true);
  });
});

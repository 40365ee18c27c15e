import { limitsFor } from "../src/governor/defaults";
import { jobKeysOf } from "../src/governor/held-permits";
import { costOf, DEFAULT_PRICES } from "../src/governor/prices";
import { governorSettings } from "../src/governor/settings";
import { MemoryGovernor } from "../src/governor/memory-governor";
import { ManualClock } from "../src/testing/manual-clock";

// Model ids are free text in a flow: names that are also Object.prototype members are plain ids.
const NAMES = ["constructor", "toString", "__proto__", "hasOwnProperty"];

describe("model ids that name Object.prototype members", () => {
  it("get the table's `*` limits like any other unlisted model", () => {
    for (const m of NAMES) expect(limitsFor({ "*": { rpm: 5 } }, m)).toEqual({ rpm: 5 });
  });

  it("are an unknown model for pricing, not an unpriced part", () => {
    for (const m of NAMES)
      expect(costOf(m, { usage: { inputTokens: 10, outputTokens: 10 } }, DEFAULT_PRICES)).toEqual({ known: false, usd: 0, reason: "unknown_model" });
  });

  it("take no per-job model limit they were not given", () => {
    const job = { id: "j", limits: { byModel: { "gemini-2.5-flash": 1 } } };
    for (const m of NAMES) expect(jobKeysOf({ model: m, kind: "text", estimatedTokens: 1, maxDelayMs: 0, job })).toEqual([]);
  });

  it("show no override in the settings view when none was set", async () => {
    const view = await governorSettings({ governor: new MemoryGovernor({ clock: new ManualClock(0) }), defaults: {}, overrides: {}, seen: ["constructor"] });
    expect(view.models).toEqual([expect.objectContaining({ model: "constructor", override: null, defaults: {}, limits: {} })]);
  });
});

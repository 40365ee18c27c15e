import type { RowWait } from "../../core/src/batch/model";
import { nextTryText, reasonFor, summarizeWaits } from "../src/lib/wait-reason";

const wait = (rowIndex: number, code: RowWait["error"]["code"], at: number, nextAttemptAt: number | null): RowWait => ({
  rowIndex,
  attempt: 2,
  at,
  nextAttemptAt,
  error: { code, message: `${code} at ${at}`, retryable: true },
});

describe("why rows wait", () => {
  it("names the reason after the provider", () => {
    expect(reasonFor("rate_limited", "gemini")).toBe("Gemini rate limit");
    expect(reasonFor("unavailable", "gemini")).toBe("Could not reach Gemini");
    expect(reasonFor("rate_limited", "offline")).toBe("AI provider rate limit");
  });

  it("summarizes the waiting rows: most frequent code, latest message, earliest next try", () => {
    const s = summarizeWaits([wait(1, "rate_limited", 10, 5_000), wait(2, "rate_limited", 20, 3_000), wait(3, "unavailable", 30, null)], "gemini");
    expect(s).toEqual({ rows: 3, reason: "Gemini rate limit", lastMessage: "unavailable at 30", nextAttemptAt: 3_000 });
    expect(summarizeWaits([], "gemini")).toBeNull();
  });

  it("says when the next try is due", () => {
    expect(nextTryText(13_000, 1_000)).toBe("next try in 12s");
    expect(nextTryText(1_200, 1_000)).toBe("next try due now");
    expect(nextTryText(null, 1_000)).toBe("");
  });
});

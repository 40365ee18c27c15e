import { breakerCause, pauseText, pausedBy } from "../src/lib/pause-reason";

describe("why a batch is paused, in words", () => {
  it("says who paused it and what resume runs", () => {
    expect(pauseText({ pausedReason: "user", pauseDetail: null, rowsLeft: 1 })).toEqual({
      title: "Paused by you.",
      cause: null,
      resume: "Resume runs the 1 row left.",
    });
    expect(pauseText({ pausedReason: "budget", pauseDetail: null, rowsLeft: 40 }).resume).toBe("Raise the budget and resume to run the 40 rows left.");
    expect(pauseText({ pausedReason: "quota", pauseDetail: null, rowsLeft: 2 }).title).toContain("daily quota");
  });

  it("names the breaker's cause from the recorded error and shows its message", () => {
    const detail = { code: "auth" as const, message: "Gemini refused the credentials (403)", retryable: false };
    const t = pauseText({ pausedReason: "circuit", pauseDetail: detail, rowsLeft: 9 });
    expect(t.title).toBe("Paused by the circuit breaker: the AI provider refused the API key.");
    expect(t.cause).toBe("Gemini refused the credentials (403)");
    expect(t.resume).toContain("Fix the cause");
    expect(breakerCause({ code: "unavailable", message: "x", retryable: true })).toContain("unreachable");
    expect(breakerCause(null)).toBe("rows kept failing with the same error");
  });

  it("has a short label for lists", () => {
    expect(["user", "budget", "circuit", "quota"].map((r) => pausedBy(r as "user"))).toEqual(["by you", "budget reached", "circuit breaker", "daily quota"]);
  });
});

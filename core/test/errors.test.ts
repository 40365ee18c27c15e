import { PermanentError, RetryableError, ValidationError, toErrorInfo } from "../src/errors";

describe("error vocabulary", () => {
  it("carries retry meaning in the class, not the message", () => {
    expect(new RetryableError("rate_limited", "Slow down", 2000).toInfo()).toEqual({
      code: "rate_limited",
      message: "Slow down",
      retryable: true,
      retryAfterMs: 2000,
    });
    expect(new PermanentError("bad_request", "Bad").toInfo().retryable).toBe(false);
  });

  it("keeps validation details and hides unknown errors behind a generic message", () => {
    const info = new ValidationError("Bad flow", [{ path: "nodes[0].data.prompt", message: "required" }]).toInfo();
    expect(info.details).toEqual([{ path: "nodes[0].data.prompt", message: "required" }]);
    const hidden = toErrorInfo(new Error("https://x?key=AIzaSECRET failed"));
    expect(hidden).toEqual({ code: "internal", message: "Internal error", retryable: true });
  });
});

/**
 * Unit tables for the Gemini error classifier and the secret scrubber: status and rpc-code
 * mapping, RetryInfo durations, errors from another realm, and key-shaped text removal.
 */
import { runInNewContext } from "node:vm";
import { PermanentError, RetryableError } from "../src/errors";
import {
  classifyStatus,
  describeFailure,
  failureToError,
  parseDuration,
  retryDelayFromDetails,
  rpcCodeToHttpStatus,
  toProviderError,
} from "../src/ai/classify-error";
import { safeProviderText, scrubSecrets } from "../src/ai/scrub";

describe("classifyStatus", () => {
  const table: Array<[number, string]> = [
    [400, "bad_request"],
    [401, "auth"],
    [403, "auth"],
    [404, "not_found"],
    [408, "timeout"],
    [409, "unavailable"],
    [413, "bad_request"],
    [429, "rate_limited"],
    [499, "unavailable"],
    [500, "unavailable"],
    [501, "bad_request"],
    [502, "unavailable"],
    [503, "unavailable"],
    [504, "unavailable"],
  ];
  it.each(table)("%i → %s", (status, cls) => {
    expect(classifyStatus(status)).toBe(cls);
  });
});

describe("rpcCodeToHttpStatus (long-running operation errors)", () => {
  it.each([
    [3, 400],
    [4, 504],
    [7, 403],
    [8, 429],
    [13, 500],
    [14, 503],
    [16, 401],
    [undefined, 500],
    [99, 500],
  ])("rpc %s → HTTP %i", (rpc, http) => {
    expect(rpcCodeToHttpStatus(rpc)).toBe(http);
  });
});

describe("retry delays", () => {
  it("parses protobuf durations", () => {
    expect(parseDuration("12s")).toBe(12_000);
    expect(parseDuration("0.25s")).toBe(250);
    expect(parseDuration({ seconds: "3", nanos: 500_000_000 })).toBe(3_500);
    expect(parseDuration("soon")).toBeUndefined();
  });

  it("reads RetryInfo among other details only", () => {
    const details = [
      { "@type": "type.googleapis.com/google.rpc.QuotaFailure", retryDelay: "99s" },
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" },
    ];
    expect(retryDelayFromDetails(details)).toBe(7_000);
    expect(retryDelayFromDetails([{ "@type": "x.QuotaFailure", retryDelay: "5s" }])).toBeUndefined();
    expect(retryDelayFromDetails("nope")).toBeUndefined();
  });
});

describe("describeFailure", () => {
  it("classifies fetch errors from another realm by name and cause code", () => {
    const reset: unknown = runInNewContext("new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })");
    const slow: unknown = runInNewContext("new TypeError('fetch failed', { cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } })");
    expect(reset instanceof Error).toBe(false);
    expect(describeFailure(reset)).toEqual({ kind: "network" });
    expect(describeFailure(slow)).toEqual({ kind: "timeout" });
  });

  it("unwraps the SDK's `exception … sending request` wrapper", () => {
    const inner = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    expect(describeFailure(new Error("exception TypeError: fetch failed sending request", { cause: inner }))).toEqual({ kind: "network" });
  });

  it("treats an abort as cancelled only when the caller's signal fired", () => {
    const abort = Object.assign(new Error("This operation was aborted"), { name: "AbortError" });
    const ac = new AbortController();
    expect(describeFailure(abort, { signal: ac.signal })).toEqual({ kind: "timeout" });
    ac.abort();
    expect(describeFailure(abort, { signal: ac.signal })).toEqual({ kind: "cancelled" });
  });

  it("reads status, status text, message and retry delay from an ApiError", () => {
    const body = { error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "google.rpc.RetryInfo", retryDelay: "2s" }] } };
    const apiError = Object.assign(new Error(JSON.stringify(body)), { name: "ApiError", status: 429 });
    expect(describeFailure(apiError)).toEqual({
      kind: "http",
      status: 429,
      statusText: "RESOURCE_EXHAUSTED",
      providerMessage: "slow down",
      retryAfterMs: 2000,
    });
  });

  it("passes our own errors through and never returns the original SDK error", () => {
    const ours = new PermanentError("safety_blocked", "blocked");
    expect(toProviderError(ours)).toBe(ours);
    const sdk = Object.assign(new Error("{}"), { name: "ApiError", status: 503 });
    const mapped = toProviderError(sdk);
    expect(mapped).not.toBe(sdk);
    expect(mapped).toBeInstanceOf(RetryableError);
    expect(mapped.cause).toBeUndefined();
  });
});

describe("failureToError messages", () => {
  it("writes short messages of our own", () => {
    expect(failureToError({ kind: "http", status: 429, statusText: "RESOURCE_EXHAUSTED" }).message).toBe("Gemini rate limit reached (429 RESOURCE_EXHAUSTED)");
    expect(failureToError({ kind: "http", status: 503 }).message).toBe("Gemini is unavailable (503)");
    expect(failureToError({ kind: "bad_json" }).toInfo()).toEqual({
      code: "model_error",
      message: "Gemini returned text that is not valid JSON",
      retryable: false,
    });
  });

  it("caps provider detail length", () => {
    const e = failureToError({ kind: "http", status: 400, providerMessage: "x".repeat(5000) });
    expect(e.message.length).toBeLessThan(260);
  });
});

describe("scrubSecrets", () => {
  it.each([
    ["AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv", "[redacted]"],
    ["see https://h/p?alt=json&key=abc123&x=1", "see https://h/p?alt=json&key=[redacted]&x=1"],
    ["x-goog-api-key: secret-value", "[redacted]"],
    ['{"authorization":"Bearer ya29.a0AfH6SMBx"}', '{"[redacted]"}'],
    ["token ya29.a0AfH6SMBxyz rest", "token [redacted] rest"],
    ["nothing secret here", "nothing secret here"],
  ])("%s → %s", (input, output) => {
    expect(scrubSecrets(input)).toBe(output);
  });

  it("removes given secrets verbatim, whatever their shape", () => {
    expect(scrubSecrets("key is hunter2-long-secret!", ["hunter2-long-secret"])).toBe("key is [redacted]!");
  });

  describe("encoded secrets", () => {
    const SECRET = "sk-live-Hunter2-0123456789abcdef";
    const bytes = Buffer.from(SECRET);
    const pct = [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
    it.each<[string, string]>([
      ["base64", bytes.toString("base64")],
      ["base64 without padding", bytes.toString("base64").replace(/=+$/, "")],
      ["base64url", bytes.toString("base64url")],
      ["URL-encoded", pct],
      ["hex", bytes.toString("hex")],
      ["HEX", bytes.toString("hex").toUpperCase()],
      ["base64 at byte offset 1 of a blob", Buffer.from(`x${SECRET}yz`).toString("base64")],
      ["base64 at byte offset 2 of a blob", Buffer.from(`xy${SECRET}z`).toString("base64")],
    ])("a known secret in %s is removed", (_how, form) => {
      const out = scrubSecrets(`error: body=${form}; retry later`, [SECRET]);
      expect(out).not.toContain(form);
      expect(out).toContain("[redacted]");
      expect(out).toMatch(/^error: body=.*; retry later$/);
    });

    it.each<[string, string]>([
      ["base64", Buffer.from("key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv").toString("base64")],
      ["base64url", Buffer.from('{"x-goog-api-key":"abc"}').toString("base64url")],
      ["URL-encoding", encodeURIComponent("?key=AIzaSyA1b2C3d4E5f6G7h8").replace(/A/g, "%41")],
      ["hex", Buffer.from("Authorization: Bearer ya29.a0AfH6SMBx").toString("hex")],
    ])("an unknown credential hidden in %s is removed", (_how, form) => {
      expect(scrubSecrets(`see ${form} here`)).toBe("see [redacted] here");
    });

    it("leaves ordinary identifiers, paths and non-secret base64 alone", () => {
      const text =
        "models/gemini-2.5-flash-image-preview:generateContent req_0123456789abcdef0123 " + Buffer.from("hello world, nothing here").toString("base64");
      expect(scrubSecrets(text, [SECRET])).toBe(text);
    });
  });

  it("safeProviderText flattens whitespace", () => {
    expect(safeProviderText("a\n\n  b\tc", [])).toBe("a b c");
  });
});

/**
 * The one ErrorCode → HttpsError table: every core code is mapped (iterating the enum, so a new
 * code without a row fails here as well as in the typecheck), the mapping is the intended one, and
 * unknown errors reach the client as a generic `internal` while the details go to the log only.
 */
import { HttpsError } from "firebase-functions/v2/https";
import { ErrorCode, GenerateTextRequest, PermanentError, PreviewRequest, RetryableError, ValidationError, type Logger } from "@flowcraft/core";
import { httpsCodeFor, toHttpsError } from "../src/http/error-table";
import { formatPath, parseInput } from "../src/http/parse-input";
import { CreateBatchInput } from "../src/callables/schemas";

function recordingLogger(): Logger & { lines: { level: string; fields: Record<string, unknown>; msg: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, fields, msg });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

describe("ErrorCode → HttpsError code", () => {
  const expected: Record<ErrorCode, string> = {
    invalid_flow: "invalid-argument",
    invalid_input: "invalid-argument",
    not_found: "not-found",
    permission_denied: "permission-denied",
    failed_precondition: "failed-precondition",
    limit_exceeded: "resource-exhausted",
    conflict: "already-exists",
    rate_limited: "resource-exhausted",
    unavailable: "unavailable",
    timeout: "deadline-exceeded",
    safety_blocked: "failed-precondition",
    bad_request: "invalid-argument",
    model_not_found: "invalid-argument",
    quota_exhausted: "resource-exhausted",
    auth: "failed-precondition",
    model_error: "internal",
    invalid_output: "internal",
    cancelled: "cancelled",
    upstream_failed: "failed-precondition",
    internal: "internal",
  };

  it.each(ErrorCode.options)("%s is mapped", (code) => {
    expect(httpsCodeFor(code)).toBe(expected[code]);
  });
});

describe("toHttpsError", () => {
  it("carries a core error's info (with details) to the client", () => {
    const err = toHttpsError(new ValidationError("bad", [{ path: "rows[3].title", message: "too long" }]), recordingLogger(), {});
    expect(err).toBeInstanceOf(HttpsError);
    expect(err.code).toBe("invalid-argument");
    expect(err.details).toEqual({ code: "invalid_input", message: "bad", retryable: false, details: [{ path: "rows[3].title", message: "too long" }] });
  });

  it("keeps a retryable error's hint", () => {
    const err = toHttpsError(new RetryableError("rate_limited", "slow down", 2000), recordingLogger(), {});
    expect(err.code).toBe("resource-exhausted");
    expect(err.details).toMatchObject({ retryable: true, retryAfterMs: 2000 });
  });

  it("turns an unknown error into a generic internal error and logs it with context", () => {
    const logger = recordingLogger();
    const err = toHttpsError(new Error("GET https://x/?key=SECRET failed"), logger, { fn: "createBatch", uid: "u1" });
    expect(err.code).toBe("internal");
    expect(err.message).toBe("Internal error");
    expect(JSON.stringify(err.toJSON())).not.toContain("SECRET");
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]!.fields).toMatchObject({ fn: "createBatch", uid: "u1" });
  });

  it("scrubs keys from what it logs, plain or encoded", () => {
    const logger = recordingLogger();
    const key = "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv";
    toHttpsError(new Error(`GET https://x/?key=${key} body=${Buffer.from(`key=${key}`).toString("base64")}`), logger, {});
    const logged = JSON.stringify(logger.lines);
    expect(logged).not.toContain(key);
    expect(logged).not.toContain(Buffer.from(`key=${key}`).toString("base64"));
    expect(logged).toContain("[redacted]");
  });

  it("logs a core internal error but not an expected one", () => {
    const logger = recordingLogger();
    toHttpsError(new PermanentError("not_found", "gone"), logger, {});
    expect(logger.lines).toHaveLength(0);
    toHttpsError(new PermanentError("internal", "broken"), logger, {});
    expect(logger.lines).toHaveLength(1);
  });
});

describe("callable input parsing", () => {
  it("names row and field of every problem", () => {
    expect(() => parseInput(CreateBatchInput, { flow: {}, columns: ["a"], rows: [{ a: "1" }, { a: 2 }] })).toThrow(ValidationError);
    let caught: unknown;
    try {
      parseInput(CreateBatchInput, { columns: "a", rows: [{ a: 2 }] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const paths = (caught as ValidationError).details!.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["flow", "columns", "rows[0].a"]));
  });

  it("treats top-level nulls (how the callable client sends undefined) as absent", () => {
    const parsed = parseInput(CreateBatchInput, { name: null, flow: { nodes: [] }, columns: ["a"], rows: [], concurrency: null, start: null });
    expect(parsed).toEqual({ flow: { nodes: [] }, columns: ["a"], rows: [] });
    expect(() => parseInput(CreateBatchInput, { flow: null, columns: ["a"], rows: [] })).toThrow(ValidationError);
  });

  it.each<[string, string, string]>([
    ["a row", '{"flow":{},"columns":["a"],"rows":[{"a":"1","__proto__":"x"}]}', "rows[0].__proto__"],
    ["node data", '{"flow":{"nodes":[{"id":"a","data":{"__proto__":{"p":1}}}]},"columns":["a"],"rows":[]}', "flow.nodes[0].data.__proto__"],
  ])("refuses a __proto__ key in %s, naming where (zod would drop it silently)", (_where, json, path) => {
    let caught: unknown;
    try {
      parseInput(CreateBatchInput, JSON.parse(json));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).details).toEqual([{ path, message: expect.stringContaining("reserved") as unknown }]);
  });

  it.each<[string, unknown, string]>([["preview row key constructor", { flow: {}, row: { a: "1", constructor: "x" } }, "row.constructor"]])(
    "refuses a %s",
    (_what, data, path) => {
      expect(() => parseInput(PreviewRequest, data)).toThrow(ValidationError);
      try {
        parseInput(PreviewRequest, data);
      } catch (err) {
        expect((err as ValidationError).details?.map((d) => d.path)).toContain(path);
      }
    },
  );

  it("refuses a JSON schema nested deeper than a flow may be", () => {
    let schema: unknown = { type: "string" };
    for (let i = 0; i < 1001; i++) schema = { items: schema };
    expect(() => parseInput(GenerateTextRequest, { model: "m", prompt: "p", jsonSchema: schema })).toThrow(/not valid/);
  });

  it("formats paths like the core", () => {
    expect(formatPath(["rows", 14, "title"])).toBe("rows[14].title");
    expect(formatPath([])).toBe("(request)");
  });
});

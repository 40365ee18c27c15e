/**
 * Error classification of GeminiAiService through the real SDK against the fake server: HTTP
 * statuses, RetryInfo delays, network failures, aborts, timeouts, client-side rejections; the SDK
 * does not retry on its own; and the API key never reaches any error or log line.
 */
import "./support/jest-undici-shim";
import { inspect } from "node:util";
import { FlowcraftError, PermanentError, RetryableError } from "../src/errors";
import type { Logger } from "../src/logger";
import { GeminiAiService } from "../src/ai/gemini";
import { FakeGeminiServer, type ScriptedResponse } from "./support/fake-gemini-server";
import { googleError, retryInfo, videoOperation } from "./support/gemini-responses";
import { SteppingClock } from "./support/test-clocks";

const MODEL = "gemini-2.5-flash";
const GOOGLE_KEY = "AIzaSyFAKE-errors-test-key-0123456789";
const ODD_KEY = "sk-test-Very-Secret-1234567890";

let server: FakeGeminiServer;
beforeAll(async () => {
  server = await FakeGeminiServer.start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function svc(opts: { apiKey?: string; logger?: Logger; timeoutMs?: number; baseUrl?: string } = {}): GeminiAiService {
  return new GeminiAiService({ apiKey: opts.apiKey ?? GOOGLE_KEY, baseUrl: opts.baseUrl ?? server.baseUrl, ...opts });
}

async function failure(p: Promise<unknown>): Promise<FlowcraftError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FlowcraftError);
  return err as FlowcraftError;
}

describe("HTTP status classification", () => {
  const cases: Array<[string, string, boolean, ScriptedResponse]> = [
    ["500", "unavailable", true, googleError(500, "INTERNAL", "internal error")],
    ["502 with an HTML body", "unavailable", true, { status: 502, body: "<html>Bad Gateway</html>", headers: { "content-type": "text/html" } }],
    ["503", "unavailable", true, googleError(503, "UNAVAILABLE", "The model is overloaded.")],
    ["504", "unavailable", true, googleError(504, "DEADLINE_EXCEEDED", "deadline")],
    ["400", "bad_request", false, googleError(400, "INVALID_ARGUMENT", "Invalid value at 'contents'")],
    ["401", "auth", false, googleError(401, "UNAUTHENTICATED", "Request had invalid credentials.")],
    ["403", "auth", false, googleError(403, "PERMISSION_DENIED", "Permission denied.")],
    ["404", "model_not_found", false, googleError(404, "NOT_FOUND", "models/nope is not found")],
    [
      "429 for a per-day quota",
      "quota_exhausted",
      false,
      googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [
        { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" }] },
      ]),
    ],
    [
      "429 for a per-minute quota",
      "rate_limited",
      true,
      googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded", [
        { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel" }] },
      ]),
    ],
  ];
  it.each(cases)("%s → %s (retryable %s), sent once (the SDK does not retry)", async (_name, code, retryable, response) => {
    server.script(":generateContent", response);
    const err = await failure(svc().generateText({ model: MODEL, prompt: "x" }));
    expect(err.toInfo()).toMatchObject({ code, retryable });
    expect(err instanceof RetryableError).toBe(retryable);
    expect(server.requests).toHaveLength(1);
  });

  it("429 with RetryInfo → RetryableError(rate_limited) with retryAfterMs from retryDelay", async () => {
    server.script(
      ":generateContent",
      googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", [
        { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [] },
        retryInfo("12s"),
      ]),
      googleError(429, "RESOURCE_EXHAUSTED", "quota", [retryInfo("0.5s")]),
      googleError(429, "RESOURCE_EXHAUSTED", "quota"),
    );
    const first = await failure(svc().generateText({ model: MODEL, prompt: "x" }));
    expect(first).toBeInstanceOf(RetryableError);
    expect(first.toInfo()).toEqual({
      code: "rate_limited",
      message: "Gemini rate limit reached (429 RESOURCE_EXHAUSTED)",
      retryable: true,
      retryAfterMs: 12_000,
    });
    expect((await failure(svc().generateText({ model: MODEL, prompt: "x" }))).toInfo().retryAfterMs).toBe(500);
    expect((await failure(svc().generateText({ model: MODEL, prompt: "x" }))).toInfo().retryAfterMs).toBeUndefined();
  });

  it("404 says the model was not found and keeps the provider's (scrubbed) detail", async () => {
    server.script(":generateContent", googleError(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"));
    const err = await failure(svc().generateText({ model: "gemini-9", prompt: "x" }));
    expect(err.message).toBe("Gemini model not found (404 NOT_FOUND): models/gemini-9 is not found for API version v1beta");
  });
});

describe("transport failures", () => {
  it("a dropped connection → RetryableError(unavailable)", async () => {
    server.script(":generateContent", { destroy: true });
    const err = await failure(svc().generateText({ model: MODEL, prompt: "x" }));
    expect(err.toInfo()).toMatchObject({ code: "unavailable", retryable: true });
  });

  it("nothing listening → RetryableError(unavailable)", async () => {
    const gone = await FakeGeminiServer.start();
    const url = gone.baseUrl;
    await gone.close();
    const err = await failure(svc({ baseUrl: url }).generateText({ model: MODEL, prompt: "x" }));
    expect(err.toInfo()).toMatchObject({ code: "unavailable", retryable: true });
  });

  it("a 200 whose body is not JSON → RetryableError(unavailable)", async () => {
    server.script(":generateContent", { body: "{not json", headers: { "content-type": "application/json" } });
    const err = await failure(svc().generateText({ model: MODEL, prompt: "x" }));
    expect(err.toInfo()).toMatchObject({ code: "unavailable", retryable: true });
  });

  it("the caller's abort while the request is in flight → RetryableError(cancelled)", async () => {
    server.script(":generateContent", { hang: true });
    const ac = new AbortController();
    const call = svc().generateText({ model: MODEL, prompt: "x", signal: ac.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 2));
    ac.abort();
    const err = await failure(call);
    expect(err.toInfo()).toMatchObject({ code: "cancelled", retryable: true });
  });

  it("the per-request timeout (timeoutMs) → RetryableError(timeout)", async () => {
    server.script(":generateContent", { hang: true });
    const err = await failure(svc({ timeoutMs: 50 }).generateText({ model: MODEL, prompt: "x" }));
    expect(err.toInfo()).toMatchObject({ code: "timeout", retryable: true });
  });

  it("parameters the SDK rejects before sending → PermanentError(bad_request), no request", async () => {
    const err = await failure(svc().generateText({ model: "bad?model", prompt: "x" }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe("bad_request");
    expect(server.requests).toHaveLength(0);
  });
});

describe("the API key never leaks", () => {
  /** Error bodies that echo the key in the ways real proxies and APIs do. */
  function leakyResponses(key: string): Array<[string, ScriptedResponse]> {
    return [
      ["400 echoing the key", googleError(400, "INVALID_ARGUMENT", `API key not valid: ${key}. Please pass a valid API key.`)],
      ["400 echoing a key= URL", googleError(400, "INVALID_ARGUMENT", `bad url https://x/v1beta/models/m:generateContent?key=${key}&alt=json`)],
      ["401 echoing the header", googleError(401, "UNAUTHENTICATED", `x-goog-api-key: ${key} rejected`)],
      ["403 with the key as status", googleError(403, key, "denied")],
      ["404 echoing the key", googleError(404, "NOT_FOUND", `no model for ${key}`)],
      ["429 echoing the key", googleError(429, "RESOURCE_EXHAUSTED", `quota for ${key}`, [retryInfo("3s")])],
      ["500 echoing the key", googleError(500, "INTERNAL", `trace key=${key}`)],
      ["503 text body with the key", { status: 503, body: `upstream ${key} down` }],
      ["dropped connection", { destroy: true }],
      ["blocked prompt", { json: { promptFeedback: { blockReason: key } } }],
      ["candidate finish reason carrying the key", { json: { candidates: [{ finishReason: key }] } }],
      ...encodedForms(key).map(([how, form]): [string, ScriptedResponse] => [
        `400 echoing the key ${how}`,
        googleError(400, "INVALID_ARGUMENT", `request was ${form} (rejected)`),
      ]),
    ];
  }

  /** The key as an error body may carry it encoded: each form must be scrubbed too. */
  function encodedForms(key: string): Array<[string, string]> {
    const bytes = Buffer.from(key, "utf8");
    const percent = [...bytes].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");
    return [
      ["base64", bytes.toString("base64")],
      ["base64url", bytes.toString("base64url")],
      ["URL-encoded", percent],
      ["hex", bytes.toString("hex")],
      ["base64 inside a larger base64 blob", Buffer.from(`{"url":"/v1?x=1","auth":"${key}","n":7}`).toString("base64")],
      ["base64url inside a URL-encoded query", encodeURIComponent(`q=${Buffer.from(`k:${key}`).toString("base64url")}`)],
    ];
  }

  /** The key itself, or any of its encoded forms (and the key's base64 at every byte alignment). */
  function leakedForm(text: string, key: string): string | undefined {
    const forms = [key, ...encodedForms(key).map(([, f]) => f)];
    for (const pad of ["", "a", "ab"])
      forms.push(
        Buffer.from(pad + key)
          .toString("base64")
          .slice(4, -4),
      );
    return forms.find((f) => text.includes(f));
  }

  const keys: Array<[string, string]> = [
    ["a Google-format key", GOOGLE_KEY],
    ["a key in an unusual format", ODD_KEY],
  ];

  it.each(keys)("for %s: no error text, stack, info or log line contains it", async (_label, key) => {
    const lines: string[] = [];
    const capture = (level: string) => (fields: Record<string, unknown>, msg: string) => {
      lines.push(JSON.stringify({ level, msg, ...fields }));
    };
    const logger: Logger = { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error") };
    const consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => inspect(a)).join(" "));
      }),
    );
    try {
      const service = svc({ apiKey: key, logger });
      for (const [name, response] of leakyResponses(key)) {
        server.reset();
        server.script(":generateContent", response);
        const err = await failure(service.generateText({ model: MODEL, prompt: "x" }));
        const texts = [err.message, String(err.stack), JSON.stringify(err.toInfo()), JSON.stringify(err), String(err), inspect(err, { depth: 5 })];
        for (const text of texts) {
          const leaked = leakedForm(text, key);
          if (leaked !== undefined) throw new Error(`key leaked in case "${name}" as ${leaked}: ${text}`);
        }
        expect(server.requests[0]!.headers["x-goog-api-key"]).toBe(key);
      }
      expect(lines.length).toBeGreaterThanOrEqual(leakyResponses(key).length);
      for (const line of lines) expect(leakedForm(line, key)).toBeUndefined();
    } finally {
      for (const spy of consoleSpies) spy.mockRestore();
    }
  });

  it.each(keys)("for %s: image and video error paths do not leak it either", async (_label, key) => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: (f, m) => lines.push(JSON.stringify({ m, ...f })),
      info: (f, m) => lines.push(JSON.stringify({ m, ...f })),
      warn: (f, m) => lines.push(JSON.stringify({ m, ...f })),
      error: (f, m) => lines.push(JSON.stringify({ m, ...f })),
    };
    const clock = new SteppingClock();
    const service = new GeminiAiService({ apiKey: key, baseUrl: server.baseUrl, logger, clock, pollIntervalMs: 1 });
    const op = "models/veo-3.0-generate-001/operations/leak";
    const calls: Array<[string, () => void, () => Promise<unknown>]> = [
      [
        "image 400",
        () => server.script(":generateContent", googleError(400, "INVALID_ARGUMENT", `bad key=${key}`)),
        () => service.generateImage({ model: "gemini-2.5-flash-image", prompt: "x" }),
      ],
      [
        "video start 403",
        () => server.script(":predictLongRunning", googleError(403, "PERMISSION_DENIED", `key ${key} lacks access`)),
        () => service.generateVideo({ model: "veo-3.0-generate-001", prompt: "x" }),
      ],
      [
        "video operation error",
        () =>
          server
            .script(":predictLongRunning", videoOperation(op, {}))
            .script("/operations/leak", videoOperation(op, { done: true, error: { code: 3, message: `invalid ${key}` } })),
        () => service.generateVideo({ model: "veo-3.0-generate-001", prompt: "x" }),
      ],
      [
        "video download 403",
        () =>
          server
            .script(":predictLongRunning", videoOperation(op, {}))
            .script("/operations/leak", videoOperation(op, { done: true, uri: `${server.baseUrl}/v1beta/files/f:download?key=${key}` }))
            .script("/files/f:download", { status: 403, body: `denied for ${key}` }),
        () => service.generateVideo({ model: "veo-3.0-generate-001", prompt: "x" }),
      ],
    ];
    for (const [name, arrange, act] of calls) {
      server.reset();
      arrange();
      const err = await failure(act());
      for (const text of [err.message, String(err.stack), JSON.stringify(err.toInfo()), inspect(err, { depth: 5 })]) {
        if (text.includes(key)) throw new Error(`key leaked in case "${name}": ${text}`);
      }
    }
    expect(lines.length).toBeGreaterThanOrEqual(calls.length);
    for (const line of lines) expect(line).not.toContain(key);
  });

  it("scrubbed provider text still tells the user what happened", async () => {
    server.script(":generateContent", googleError(400, "INVALID_ARGUMENT", `API key not valid: ${GOOGLE_KEY}.`));
    const err = await failure(svc().generateText({ model: MODEL, prompt: "x" }));
    expect(err.message).toBe("Gemini rejected the request (400 INVALID_ARGUMENT): API key not valid: [redacted].");
  });
});

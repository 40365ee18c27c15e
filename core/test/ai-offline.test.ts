import { crc32, inflateSync } from "node:zlib";
import { PermanentError, RetryableError } from "../src/errors";
import { OfflineAiService, slowMarkerMs } from "../src/ai/offline";
import { PNG_SIGNATURE } from "../src/ai/png";
import { ManualClock } from "../src/testing/manual-clock";

/** Delay until the clock's next timer, if any. */
function nextDelay(c: ManualClock): number | undefined {
  const at = c.nextTimerAt();
  return at === undefined ? undefined : at - c.now();
}

const model = "gemini-2.5-flash";

/** Parses a PNG's chunks and checks each CRC; returns IHDR fields and the inflated pixel rows. */
function readPng(bytes: Uint8Array): { width: number; height: number; bitDepth: number; colourType: number; raw: Buffer; types: string[] } {
  const buf = Buffer.from(bytes);
  expect(buf.subarray(0, 8).equals(Buffer.from(PNG_SIGNATURE))).toBe(true);
  const types: string[] = [];
  const idat: Buffer[] = [];
  let ihdr = Buffer.alloc(0);
  for (let at = 8; at < buf.length;) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString("ascii", at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    expect(buf.readUInt32BE(at + 8 + len)).toBe(crc32(buf.subarray(at + 4, at + 8 + len)) >>> 0);
    types.push(type);
    if (type === "IHDR") ihdr = data;
    if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  return {
    width: ihdr.readUInt32BE(0),
    height: ihdr.readUInt32BE(4),
    bitDepth: ihdr[8]!,
    colourType: ihdr[9]!,
    raw: inflateSync(Buffer.concat(idat)),
    types,
  };
}

describe("OfflineAiService: deterministic output", () => {
  it("returns the same text for the same request and different text for different prompts", async () => {
    const a = new OfflineAiService();
    const b = new OfflineAiService();
    const r1 = await a.generateText({ model, prompt: "Summarise the history of tea" });
    const r2 = await b.generateText({ model, prompt: "Summarise the history of tea" });
    const r3 = await a.generateText({ model, prompt: "Summarise the history of coffee" });
    expect(r1).toEqual(r2);
    expect(r3.text).not.toBe(r1.text);
    expect(r1.text).toContain("Summarise the history of tea");
    expect(r1.model).toBe(model);
  });

  it("changes output with the system instruction and the seed", async () => {
    const base = await new OfflineAiService().generateText({ model, prompt: "p" });
    const withSystem = await new OfflineAiService().generateText({ model, prompt: "p", system: "be brief" });
    const seeded = await new OfflineAiService({ seed: 7 }).generateText({ model, prompt: "p" });
    expect(new Set([base.text, withSystem.text, seeded.text]).size).toBe(3);
  });

  it("estimates usage at about four characters per token", async () => {
    const prompt = "x".repeat(400);
    const r = await new OfflineAiService().generateText({ model, prompt, system: "y".repeat(40) });
    expect(r.usage.inputTokens).toBe(110);
    expect(r.usage.outputTokens).toBe(Math.ceil(r.text.length / 4));
    expect(r.usage.totalTokens).toBe(r.usage.inputTokens + r.usage.outputTokens);
  });

  it("builds JSON that follows the schema's types, deterministically", async () => {
    const jsonSchema = {
      type: "object",
      properties: {
        title: { type: "string" },
        score: { type: "integer", minimum: 1, maximum: 5 },
        ratio: { type: "number" },
        ok: { type: "boolean" },
        tone: { type: "string", enum: ["formal", "casual"] },
        tags: { type: "array", items: { type: "string" }, minItems: 3 },
        nested: { type: "object", properties: { n: { type: ["integer", "null"] } } },
      },
    };
    const svc = new OfflineAiService();
    const r = await svc.generateText({ model, prompt: "rate it", jsonSchema });
    const again = await svc.generateText({ model, prompt: "rate it", jsonSchema });
    const v = r.json as Record<string, unknown>;
    expect(JSON.parse(r.text)).toEqual(r.json);
    expect(again.json).toEqual(r.json);
    expect(typeof v.title).toBe("string");
    expect(Number.isInteger(v.score) && (v.score as number) >= 1 && (v.score as number) <= 5).toBe(true);
    expect(typeof v.ratio).toBe("number");
    expect(typeof v.ok).toBe("boolean");
    expect(["formal", "casual"]).toContain(v.tone);
    expect(v.tags).toHaveLength(3);
    expect(Number.isInteger((v.nested as { n: unknown }).n)).toBe(true);
  });
});

describe("OfflineAiService: media", () => {
  it("returns a valid PNG whose colours depend on the prompt", async () => {
    const svc = new OfflineAiService();
    const red = await svc.generateImage({ model: "gemini-2.5-flash-image", prompt: "a red fox" });
    const blue = await svc.generateImage({ model: "gemini-2.5-flash-image", prompt: "a blue whale" });
    expect(red.mimeType).toBe("image/png");
    const png = readPng(red.data);
    expect(png.types).toEqual(["IHDR", "IDAT", "IEND"]);
    expect([png.width, png.height, png.bitDepth, png.colourType]).toEqual([64, 64, 8, 2]);
    expect(png.raw.length).toBe(64 * (64 * 3 + 1));
    expect(Buffer.from(red.data).equals(Buffer.from(blue.data))).toBe(false);
    const again = await new OfflineAiService().generateImage({ model: "gemini-2.5-flash-image", prompt: "a red fox" });
    expect(Buffer.from(again.data).equals(Buffer.from(red.data))).toBe(true);
  });

  it("shapes the PNG by aspect ratio", async () => {
    const r = await new OfflineAiService().generateImage({ model: "imagen-4.0-generate-001", prompt: "wide", aspectRatio: "16:9" });
    const png = readPng(r.data);
    expect([png.width, png.height]).toEqual([64, 36]);
  });

  it("returns a placeholder MP4 that starts with an ftyp box", async () => {
    const r = await new OfflineAiService().generateVideo({ model: "veo-3.0-generate-001", prompt: "waves" });
    const buf = Buffer.from(r.data);
    expect(r.mimeType).toBe("video/mp4");
    expect(buf.readUInt32BE(0)).toBe(24);
    expect(buf.toString("ascii", 4, 12)).toBe("ftypisom");
    expect(buf.toString("ascii", 28, 32)).toBe("free");
    expect(buf.readUInt32BE(24) + 24).toBe(buf.length);
  });
});

describe("OfflineAiService: test markers", () => {
  const cases: Array<[string, string, boolean]> = [
    ["[[fail]]", "bad_request", false],
    ["[[safety]]", "safety_blocked", false],
  ];
  it.each(cases)("%s fails every call with %s", async (marker, code, retryable) => {
    const svc = new OfflineAiService();
    for (let i = 0; i < 3; i++) {
      const err = await svc.generateText({ model, prompt: `row 1 ${marker}` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as PermanentError).toInfo()).toMatchObject({ code, retryable });
    }
    await expect(svc.generateImage({ model, prompt: marker })).rejects.toMatchObject({ code });
    await expect(svc.generateVideo({ model, prompt: marker })).rejects.toMatchObject({ code });
  });

  it("[[fail-first]] fails only the first call with that exact prompt, permanently", async () => {
    const svc = new OfflineAiService();
    const prompt = "cell [[fail-first]] A";
    await expect(svc.generateText({ model, prompt })).rejects.toBeInstanceOf(PermanentError);
    await expect(svc.generateText({ model, prompt: "cell [[fail-first]] B" })).rejects.toMatchObject({ code: "bad_request" });
    await expect(svc.generateText({ model, prompt })).resolves.toMatchObject({ model });
  });

  it("[[retryable-once]] fails the first call with rate_limited and retryAfterMs 50", async () => {
    const svc = new OfflineAiService();
    const prompt = "cell [[retryable-once]]";
    const err = await svc.generateText({ model, prompt }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).toInfo()).toEqual({
      code: "rate_limited",
      message: expect.any(String) as string,
      retryable: true,
      retryAfterMs: 50,
    });
    await expect(svc.generateText({ model, prompt })).resolves.toMatchObject({ model });
  });

  it("reads [[slow:MS]] markers", () => {
    expect(slowMarkerMs("a [[slow:250]] b [[slow:50]]")).toBe(300);
    expect(slowMarkerMs("[[slow:abc]] [[slow]]")).toBe(0);
  });
});

describe("OfflineAiService: latency through the injected clock", () => {
  it("waits latency + [[slow]] on the clock before answering", async () => {
    const clock = new ManualClock();
    const svc = new OfflineAiService({ latencyMs: 100, clock });
    let done = false;
    const call = svc.generateText({ model, prompt: "hello [[slow:400]]" }).then((r) => {
      done = true;
      return r;
    });
    await clock.advance(0);
    expect(nextDelay(clock)).toBe(500);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await call;
    expect(done).toBe(true);
  });

  it("adds a deterministic jitter below jitterMs that differs across prompts", async () => {
    const delays: number[] = [];
    for (const prompt of ["a", "b", "c", "d", "e", "f"]) {
      const clock = new ManualClock();
      const svc = new OfflineAiService({ latencyMs: 10, jitterMs: 1000, clock });
      const call = svc.generateText({ model, prompt });
      await clock.advance(0);
      delays.push(nextDelay(clock)!);
      await clock.advance(2000);
      await call;
    }
    for (const d of delays) expect(d >= 10 && d < 1010).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it("rejects with RetryableError(cancelled) when aborted while waiting", async () => {
    const clock = new ManualClock();
    const svc = new OfflineAiService({ latencyMs: 1000, clock });
    const ac = new AbortController();
    const call = svc.generateText({ model, prompt: "x", signal: ac.signal });
    await clock.advance(10);
    ac.abort();
    await expect(call).rejects.toMatchObject({ code: "cancelled", retryable: true });
    expect(clock.pendingTimers).toBe(0);
  });

  it("checks markers after the latency, like a provider failing late", async () => {
    const clock = new ManualClock();
    const svc = new OfflineAiService({ latencyMs: 200, clock });
    let settled = false;
    const call = svc.generateText({ model, prompt: "[[fail]]" }).catch((e: unknown) => {
      settled = true;
      return e;
    });
    await clock.advance(199);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await call).toBeInstanceOf(PermanentError);
  });
});

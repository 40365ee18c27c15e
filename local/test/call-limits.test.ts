/**
 * Per-batch call limits on the local host: `run`'s --job-concurrency / --job-model-concurrency
 * flags, and `callLimits` in the create body (stored on the job, bad values answered 400 with the
 * path of each problem and nothing created).
 */
import { parseArgs, UsageError } from "../src/cli/args";
import { JOB_LIMIT_OPTIONS, parseJobCallLimits } from "../src/cli/limit-flags";
import { TEXT_FLOW } from "./support/flows";
import { request } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

describe("run's per-batch call limit flags", () => {
  const parse = (argv: string[]) => parseJobCallLimits(parseArgs(argv, JOB_LIMIT_OPTIONS).options);

  it("reads step types and models, repeated or as comma lists", () => {
    expect(parse(["--job-concurrency", "text=10,image=3", "--job-concurrency=video=1", "--job-model-concurrency", "veo-3.0-generate-001=1"])).toEqual({
      byKind: { text: 10, image: 3, video: 1 },
      byModel: { "veo-3.0-generate-001": 1 },
    });
  });

  it("gives no limits when neither flag is set", () => {
    expect(parse([])).toBeUndefined();
  });

  it.each([
    ["--job-concurrency", "audio=2", /unknown step type "audio"/],
    ["--job-concurrency", "video=0", /whole number ≥ 1/],
    ["--job-concurrency", "video", /TYPE=N/],
    ["--job-model-concurrency", "m=1.5", /MODEL=N/],
  ])("rejects %s %s with a usage error that says what to write", (flag, value, message) => {
    expect(() => parse([flag, value])).toThrow(UsageError);
    expect(() => parse([flag, value])).toThrow(message);
  });
});

describe("callLimits in the create body", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv.close();
  });

  it("is stored on the job and shown back", async () => {
    const callLimits = { byKind: { text: 2 }, byModel: { "gemini-2.5-flash": 1 } };
    const created = await request(srv.port, "POST", "/api/batches", { flow: TEXT_FLOW, columns: ["topic"], rows: [{ topic: "a" }], callLimits });
    expect(created.status).toBe(201);
    expect(created.json.job.callLimits).toEqual(callLimits);
    const got = await request(srv.port, "GET", `/api/batches/${created.json.job.id as string}`);
    expect(got.json.job.callLimits).toEqual(callLimits);
  });

  it("answers 400 with the path of each bad value and creates nothing", async () => {
    const before = (await request(srv.port, "GET", "/api/batches")).json.jobs.length as number;
    const bad = await request(srv.port, "POST", "/api/batches", {
      flow: TEXT_FLOW,
      columns: ["topic"],
      rows: [{ topic: "a" }],
      callLimits: { byKind: { video: 0, sound: 1 } },
    });
    expect(bad.status).toBe(400);
    const paths = (bad.json.error.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["callLimits.byKind.video", "callLimits.byKind"]));
    expect((await request(srv.port, "GET", "/api/batches")).json.jobs.length).toBe(before);
  });
});

/**
 * The run dialog's mode reaches the server on both backends: the real LocalBackend against the
 * real local host stores `mode: "economy"` on the job (absent: realtime) and a flow with nothing to
 * batch (an image step only) is refused with a `mode` detail; the Firebase create path puts `mode` into the
 * `createBatch` callable's data, inline or with an uploaded file.
 */
import { LocalBackend } from "../src/backend/local-backend";
import { createBatchData, type PutFile } from "../src/backend/firebase-upload";
import { BackendError, type CreateBatchInput } from "../src/backend/types";
import { UPLOAD_ROWS_ABOVE } from "../src/backend/upload-rows";
import { startTestServer, type TestServer } from "../../local/test/support/test-server";
import { IMAGE_FLOW, TEXT_FLOW } from "../../local/test/support/flows";

const input = (over: Partial<CreateBatchInput> = {}): CreateBatchInput => ({
  name: "eco",
  flow: TEXT_FLOW,
  columns: ["topic"],
  rows: [{ topic: "a" }, { topic: "b" }],
  concurrency: 1,
  start: false,
  ...over,
});

describe("LocalBackend create with a mode", () => {
  let srv: TestServer;
  let backend: LocalBackend;
  beforeAll(async () => {
    srv = await startTestServer();
    backend = new LocalBackend(`http://127.0.0.1:${srv.port}`, { submit: { sleep: async () => {} } });
  });
  afterAll(() => srv.close());

  it("economy is stored on the job; no mode means realtime", async () => {
    const eco = await backend.create(input({ mode: "economy" }));
    expect(eco.mode).toBe("economy");
    expect((await backend.get(eco.id)).mode).toBe("economy");
    expect((await srv.host.handlers.getJob({ ownerId: "local" }, eco.id)).mode).toBe("economy");
    expect((await backend.create(input({ mode: "realtime" }))).mode).toBe("realtime");
    expect((await backend.create(input())).mode).toBe("realtime");
  });

  it("an image-only flow in economy mode is refused: nothing to batch", async () => {
    const err = (await backend.create(input({ flow: IMAGE_FLOW, mode: "economy" })).catch((e: unknown) => e)) as BackendError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.info.code).toBe("invalid_input");
    expect(err.info.details?.find((d) => d.path === "mode")?.message).toContain("nothing to batch: this flow has no text step");
  });
});

describe("Firebase createBatch data with a mode", () => {
  const put: PutFile = async (_path, _file, onProgress) => onProgress(1, 1);
  const uid = async (): Promise<string> => "user-1";

  it.each([
    ["inline rows", 2],
    ["an uploaded file", UPLOAD_ROWS_ABOVE + 1],
  ])("carries mode with %s", async (_label, n) => {
    const rows = Array.from({ length: n }, (_, i) => ({ topic: `t${i}` }));
    const data = await createBatchData({ ...input({ rows, mode: "economy" }), requestId: "req-1" }, { uid, put });
    expect(data.mode).toBe("economy");
  });

  it("leaves mode out when none was chosen (the callable rejects null)", async () => {
    const data = await createBatchData({ ...input(), requestId: "req-2" }, { uid, put });
    expect("mode" in data).toBe(false);
  });
});

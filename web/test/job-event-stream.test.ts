/**
 * The live events of the local host's SSE stream are parsed with core's schemas before any
 * watcher sees them: a `job` or `result` payload that is not JSON or not of its shape is dropped
 * and reported through `onError` (to the watchers that take that kind of event), a good one is
 * delivered parsed (schema defaults filled in).
 */
import type { Job, RowResult } from "../../core/src/batch/model";
import { JobEventStream } from "../src/backend/job-event-stream";
import type { BackendError } from "../src/backend/types";
import { FakeEventSource } from "./support/fake-event-source";
import { jobJson, rowResult } from "./support/job-fixtures";

beforeAll(() => {
  (globalThis as { EventSource?: unknown }).EventSource = FakeEventSource;
});

interface Seen {
  jobs: Job[];
  results: RowResult[];
  jobErrors: BackendError[];
  resultErrors: BackendError[];
}

/** One stream with a job watcher and a results watcher, as LocalBackend sets them up. */
function watch(): { source: FakeEventSource; seen: Seen; stream: JobEventStream } {
  FakeEventSource.instances = [];
  const seen: Seen = { jobs: [], results: [], jobErrors: [], resultErrors: [] };
  const stream = new JobEventStream("http://127.0.0.1:1/api/batches/job1/events", 5);
  stream.add({ onJob: (j) => seen.jobs.push(j), onError: (e) => seen.jobErrors.push(e) });
  stream.add({ onResult: (r) => seen.results.push(r), onError: (e) => seen.resultErrors.push(e) });
  const source = FakeEventSource.latest();
  source.open();
  return { source, seen, stream };
}

describe("JobEventStream payloads", () => {
  it("delivers a well-formed job and result, parsed", () => {
    const { source, seen, stream } = watch();
    // The server omits fields that have defaults when they were never written: parsing fills them in.
    const { skippedRows: _s, pausedReason: _p, ...sparse } = jobJson({ completedRows: 2 });
    source.emit("job", sparse, "4");
    source.emit("result", rowResult(1), "5");
    expect(seen.jobs).toEqual([jobJson({ completedRows: 2 })]);
    expect(seen.results).toEqual([rowResult(1)]);
    expect([...seen.jobErrors, ...seen.resultErrors]).toEqual([]);
    stream.close();
  });

  it("drops a job event of the wrong shape and tells the job watcher which fields are wrong", () => {
    const { source, seen, stream } = watch();
    source.emit("job", { ...jobJson(), status: "running", totalRows: "ten" }, "4");
    expect(seen.jobs).toEqual([]);
    expect(seen.jobErrors).toHaveLength(1);
    const err = seen.jobErrors[0]!;
    expect(err.info).toMatchObject({ code: "internal", retryable: false });
    expect(err.message).toMatch(/^A live job update is not in the shape this app reads/);
    expect(err.message).toContain("status");
    expect(err.message).toContain("totalRows");
    // The results watcher takes no job events, so it is not told about this one.
    expect(seen.resultErrors).toEqual([]);
    // The stream goes on: the next good event arrives.
    source.emit("job", jobJson({ completedRows: 1 }), "5");
    expect(seen.jobs.map((j) => j.completedRows)).toEqual([1]);
    stream.close();
  });

  it("drops a result event of the wrong shape, and one that is not JSON, reporting each", () => {
    const { source, seen, stream } = watch();
    const { rowIndex: _r, ...noIndex } = rowResult(3);
    source.emit("result", noIndex, "6");
    source.emitText("result", "{not json", "7");
    source.emit("result", { ...rowResult(4), outputs: { line: { kind: "text" } } }, "8");
    expect(seen.results).toEqual([]);
    expect(seen.resultErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^A live result update is not in the shape this app reads \(rowIndex: /),
      "A live update is not JSON.",
      expect.stringMatching(/^A live result update .*outputs\.line\.text/),
    ]);
    expect(seen.jobErrors).toEqual([]);
    source.emit("result", rowResult(5), "9");
    expect(seen.results.map((r) => r.rowIndex)).toEqual([5]);
    stream.close();
  });

  it("reports a lost connection to every watcher as retryable", () => {
    const { source, seen, stream } = watch();
    source.fail(true);
    expect([...seen.jobErrors, ...seen.resultErrors].map((e) => e.info)).toEqual([
      { code: "unavailable", message: "Live updates were interrupted; reconnecting…", retryable: true },
      { code: "unavailable", message: "Live updates were interrupted; reconnecting…", retryable: true },
    ]);
    stream.close();
  });
});

import { BackendError } from "../src/backend/types";
import { jobFromDoc, resultFromDoc } from "../src/backend/job-doc";
import { economyJobDoc } from "./support/economy-fixtures";

describe("Firestore documents parsed with core's schemas", () => {
  it("reads a well-formed job document, with its id from the document name", () => {
    const job = jobFromDoc("job-1", economyJobDoc());
    expect(job.id).toBe("job-1");
    expect(job.status).toBe("processing");
  });

  it("turns a job document with a wrong field into a BackendError naming the document and the field", () => {
    const doc = { ...economyJobDoc(), status: "running", totalRows: "ten" };
    let caught: unknown;
    try {
      jobFromDoc("job-1", doc);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BackendError);
    const e = caught as BackendError;
    expect(e.info.code).toBe("internal");
    expect(e.message).toContain("batch_jobs/job-1");
    expect(e.message).toContain("status");
    expect(e.message).toContain("totalRows");
  });

  it("turns a missing job document body into a BackendError, not a crash", () => {
    expect(() => jobFromDoc("gone", undefined)).toThrow(BackendError);
  });

  it("refuses a result document without its row index", () => {
    expect(() => resultFromDoc("batch_jobs/j/results/r1", { status: "succeeded" })).toThrow(/batch_jobs\/j\/results\/r1.*rowIndex/);
  });
});

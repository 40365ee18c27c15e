/** CLI progress output: a redrawn bar on a terminal, plain throttled lines otherwise. */
import type { Job } from "@flowcraft/core";
import { createProgress } from "../src/cli/progress";

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = "";
  const stream = { isTTY, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

const job = (done: number, failed = 0, status: Job["status"] = "processing", costUsd = 0): Job =>
  ({ status, totalRows: 10, completedRows: done, failedRows: failed, costUsd }) as Job;

describe("createProgress", () => {
  it("redraws one line with a bar on a terminal and ends it with a summary", () => {
    const { stream, text } = fakeStream(true);
    const p = createProgress(stream, Date.now());
    p.update(job(2));
    p.update(job(5, 1, "processing", 0.0123));
    p.finish(job(9, 1, "completed", 0.02456));
    const out = text();
    expect(out.match(/\r\[/g)).toHaveLength(3);
    expect(out).toContain("6/10 rows, 1 failed, $0.0123");
    expect(out).toMatch(/completed: 9 succeeded, 1 failed of 10 rows in [\d.]+ s, \$0\.0246 spent/);
  });

  it("writes plain lines without control characters otherwise, skipping unchanged counts", () => {
    const { stream, text } = fakeStream(false);
    const p = createProgress(stream, Date.now(), 0);
    p.update(job(2));
    p.update(job(2));
    p.update(job(4));
    p.finish(job(10, 0, "completed"));
    const lines = text().trim().split("\n");
    expect(lines.filter((l) => l.startsWith("progress:"))).toHaveLength(2);
    expect(text()).not.toContain("\r");
    expect(lines[lines.length - 1]).toContain("completed: 10 succeeded");
  });
});

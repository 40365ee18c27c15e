/**
 * The live event bus parses a row result only for subscribers that take results: a job-only
 * subscriber (the CLI's progress, the benchmarks) gets every job event and no result events, and
 * costs no result parsing; a default subscriber of the same job gets both.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { OfflineAiService, RowResult } from "@flowcraft/core";
import { LOCAL_OWNER, createLocalHost } from "../src/local-host";
import type { BatchEvent } from "../src/event-bus";
import { waitForEnd } from "../bench/bench-support";
import { TEXT_FLOW } from "./support/flows";

describe("BatchEventBus subscriptions", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-bus-"))));
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(subscribe: (host: ReturnType<typeof createLocalHost>, jobId: string) => void): Promise<void> {
    const host = createLocalHost({ dataDir: dir, ai: new OfflineAiService({ latencyMs: 0 }) });
    try {
      const rows = Array.from({ length: 12 }, (_, i) => ({ topic: `t${i}` }));
      const job = await host.handlers.createJob({ ...LOCAL_OWNER, flow: TEXT_FLOW, columns: ["topic"], rows, concurrency: 3 });
      subscribe(host, job.id);
      await host.handlers.startJob(LOCAL_OWNER, job.id);
      const end = await waitForEnd(host, job.id);
      expect(end.completedRows).toBe(12);
    } finally {
      await host.close();
    }
  }

  it("gives a job-only subscriber job events and no results, without parsing any result", async () => {
    const parse = jest.spyOn(RowResult, "safeParse");
    const seen: BatchEvent["type"][] = [];
    await run((host, id) => host.events.subscribe(id, (e) => seen.push(e.type), { results: false }));
    expect(seen).toContain("job");
    expect(seen).not.toContain("result");
    expect(parse).not.toHaveBeenCalled();
  });

  it("gives a default subscriber every result, beside a job-only one", async () => {
    const all: BatchEvent["type"][] = [];
    const jobOnly: BatchEvent["type"][] = [];
    await run((host, id) => {
      host.events.subscribe(id, (e) => all.push(e.type));
      host.events.subscribe(id, (e) => jobOnly.push(e.type), { results: false });
    });
    expect(all.filter((t) => t === "result")).toHaveLength(12);
    expect(jobOnly).not.toContain("result");
    expect(jobOnly.length).toBeGreaterThan(0);
  });
});

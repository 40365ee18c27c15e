/**
 * The Gemini Batch API's two routes side by side on one group of requests, through the real SDK
 * against the fake Batch and Files API (one process, loopback): create (inline body vs. JSONL
 * written, hashed and uploaded in 8 MB chunks) and results (inline responses in the job vs. the
 * output file streamed line by line), best of `runs`, with the file / inline ratio. Usage:
 * node scripts/run-ts.js core/bench/batch-file-route-bench.ts [items] [promptBytes] [runs]
 */
import { GoogleGenAI } from "@google/genai";
import { type BatchItem, inlineRequestBytes } from "../src/ai/batch-port";
import { GeminiBatchJobs } from "../src/ai/gemini-batches";
import { FakeBatchApi } from "../test/support/fake-batch-api";
import { FakeGeminiServer } from "../test/support/fake-gemini-server";

const count = Number(process.argv[2] ?? 5_000);
const promptBytes = Number(process.argv[3] ?? 2_000);
const runs = Number(process.argv[4] ?? 3);
const KEY = "AIzaSyFAKE-bench-key-000000000000000";

const items: BatchItem[] = Array.from({ length: count }, (_, i) => ({
  key: `${i}/summary`,
  request: { model: "gemini-2.5-flash", prompt: `Row ${i}: ${"lorem ipsum dolor sit amet ".repeat(Math.ceil(promptBytes / 27))}`.slice(0, promptBytes) },
}));

async function route(server: FakeGeminiServer, inlineLimitBytes: number): Promise<{ create: number; results: number }> {
  let create = Number.POSITIVE_INFINITY;
  let results = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    server.reset();
    const api = new FakeBatchApi({ pollsToFinish: 1 }).install(server);
    const ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.baseUrl } });
    const jobs = new GeminiBatchJobs({ ai, apiKey: KEY, baseUrl: server.baseUrl, inlineLimitBytes, fileLimitBytes: 1e12 });
    let start = performance.now();
    const job = await jobs.create({ model: "gemini-2.5-flash", displayName: `bench-${inlineLimitBytes}-${r}`, items });
    create = Math.min(create, performance.now() - start);
    api.finish(job.name);
    start = performance.now();
    const outcomes = await jobs.results(job.name, items);
    results = Math.min(results, performance.now() - start);
    if (outcomes.filter((o) => o.ok).length !== count) throw new Error("not every item was answered");
  }
  return { create, results };
}

async function main(): Promise<void> {
  const server = await FakeGeminiServer.start();
  try {
    const inline = await route(server, Number.MAX_SAFE_INTEGER);
    const file = await route(server, 1);
    const mb = (inlineRequestBytes(items) / 1e6).toFixed(1);
    const ms = (n: number) => `${n.toFixed(0)} ms`;
    process.stdout.write(`${count} requests, ${mb} MB of request JSON, best of ${runs}\n`);
    process.stdout.write(`create:  inline ${ms(inline.create)}, file ${ms(file.create)}, ratio ${(file.create / inline.create).toFixed(2)}\n`);
    process.stdout.write(`results: inline ${ms(inline.results)}, file ${ms(file.results)}, ratio ${(file.results / inline.results).toFixed(2)}\n`);
  } finally {
    await server.close();
  }
}

void main();

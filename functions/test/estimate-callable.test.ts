/**
 * The exported `estimateBatch` callable, wrapped by firebase-functions-test: auth required, input
 * errors mapped, an estimate back with no job created and no generation call, and a dry run whose
 * calls count toward the caller's AI calls per minute.
 */
import { CountingAi } from "../../core/test/support/counting-ai";
import { Harness, auth, fft, httpsErrorOf, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ topic: `t${i}` }));
const req = (uid: string | null, data: Record<string, unknown>) =>
  ({ data: { flow: textFlow(), columns: ["topic"], rows: rows(3), ...data }, ...(uid ? { auth: auth(uid) } : {}) }) as never;

interface Estimate {
  rows: number;
  calls: number;
  costUsd: { low: number; expected: number; high: number };
  dryRun?: { rows: number };
}

describe("estimateBatch callable", () => {
  it("answers an estimate without creating a job or generating", async () => {
    const ai = new CountingAi();
    const h = new Harness({ ai, autoDeliver: false });
    const { estimate } = (await h.estimateBatch(req("alice", { concurrency: 2 }))) as { estimate: Estimate };
    expect(estimate).toMatchObject({ rows: 3, calls: 3 });
    expect(estimate.costUsd.expected).toBeGreaterThan(0);
    expect(ai.generations).toBe(0);
    expect(await h.store.query("batch_jobs")).toHaveLength(0);
  });

  it("requires auth and maps bad input to invalid-argument", async () => {
    const h = new Harness({ ai: new CountingAi(), autoDeliver: false });
    expect((await httpsErrorOf(h.estimateBatch(req(null, {})))).code).toBe("unauthenticated");
    expect((await httpsErrorOf(h.estimateBatch(req("alice", { rows: "nope" })))).code).toBe("invalid-argument");
    expect((await httpsErrorOf(h.estimateBatch(req("alice", { flow: { nodes: [] } })))).code).toBe("invalid-argument");
  });

  it("a dry run makes its calls and counts them toward the AI calls per minute", async () => {
    const ai = new CountingAi();
    const h = new Harness({ ai, autoDeliver: false, quota: { aiCallsPerMinute: 1 } });
    const { estimate } = (await h.estimateBatch(req("alice", { dryRunRows: 1 }))) as { estimate: Estimate };
    expect(estimate.dryRun).toMatchObject({ rows: 1 });
    expect(ai.generations).toBe(1);
    expect((await httpsErrorOf(h.estimateBatch(req("alice", { dryRunRows: 1 })))).code).toBe("resource-exhausted");
  });
});

/**
 * The offline provider's Batch API simulation: deterministic, no network. A job is `pending` for
 * the first half of `delayMs` after creation (by the injected clock), `running` for the second
 * half, then `succeeded`; its answers are exactly what the offline provider's realtime
 * `generateText` gives for the same requests (markers such as `[[fail]]` fail that item alone).
 *
 * Job-level test markers, matched in any item's prompt:
 * - `[[batch-expired]]`  the job ends `expired` instead of `succeeded` (no answers)
 * - `[[batch-failed]]`   the job ends `failed`
 *
 * The name carries the creation time and the outcome (`batches/offline-<ms>-<seq>-<outcome>`), so
 * `get` and `results` work across a restart of the host (results are recomputed from the items the
 * caller keeps). Display names and cancellations live in memory: after a restart
 * `findByDisplayName` forgets earlier jobs, and a cancelled job reads as running again.
 */
import { PermanentError } from "../errors";
import type { Clock } from "../ports/clock";
import { systemClock } from "../system-clock";
import {
  type BatchItem,
  type BatchItemOutcome,
  type CreateBatchJobRequest,
  INLINE_BATCH_LIMIT_BYTES,
  type ProviderBatchJobs,
  type ProviderJob,
  type ProviderJobState,
} from "./batch-port";
import type { AiService } from "./port";
import { toProviderError } from "./classify-error";

export interface OfflineBatchJobsOptions {
  /** How long a job takes to finish, by the clock. Default 2 s. */
  delayMs?: number;
  clock?: Clock;
}

type Outcome = "succeeded" | "expired" | "failed";

interface Parsed {
  createdAt: number;
  outcome: Outcome;
}

const NAME = /^batches\/offline-(\d+)-(\d+)-(succeeded|expired|failed)$/;

export const DEFAULT_OFFLINE_BATCH_DELAY_MS = 2_000;

export class OfflineBatchJobs implements ProviderBatchJobs {
  readonly provider = "offline";
  /** Keeps the inline limit: the simulation has no file route, so groups split as on Gemini's inline route. */
  readonly maxJobRequestBytes = INLINE_BATCH_LIMIT_BYTES;
  private readonly delayMs: number;
  private readonly clock: Clock;
  private seq = 0;
  private readonly created: ProviderJob[] = [];
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly realtime: Pick<AiService, "generateText">,
    opts: OfflineBatchJobsOptions = {},
  ) {
    this.delayMs = Math.max(0, opts.delayMs ?? DEFAULT_OFFLINE_BATCH_DELAY_MS);
    this.clock = opts.clock ?? systemClock;
  }

  create(req: CreateBatchJobRequest): Promise<ProviderJob> {
    if (req.items.length === 0) return Promise.reject(new PermanentError("bad_request", "A provider batch job needs at least one request"));
    const prompts = req.items.map((i) => i.request.prompt).join("\n");
    const outcome: Outcome = prompts.includes("[[batch-expired]]") ? "expired" : prompts.includes("[[batch-failed]]") ? "failed" : "succeeded";
    const createdAt = this.clock.now();
    this.seq += 1;
    const job: ProviderJob = {
      name: `batches/offline-${createdAt}-${this.seq}-${outcome}`,
      displayName: req.displayName,
      model: req.model,
      state: "pending",
      createdAt,
    };
    this.created.push(job);
    return Promise.resolve({ ...job });
  }

  get(name: string): Promise<ProviderJob> {
    const parsed = parse(name);
    if (!parsed) return Promise.reject(notFound(name));
    const known = this.created.find((j) => j.name === name);
    return Promise.resolve({
      name,
      displayName: known?.displayName ?? "",
      model: known?.model ?? "",
      state: this.stateOf(name, parsed),
      createdAt: parsed.createdAt,
    });
  }

  cancel(name: string): Promise<void> {
    const parsed = parse(name);
    if (!parsed) return Promise.reject(notFound(name));
    if (this.stateOf(name, parsed) === "pending" || this.stateOf(name, parsed) === "running") this.cancelled.add(name);
    return Promise.resolve();
  }

  async findByDisplayName(displayName: string): Promise<ProviderJob[]> {
    const matching = this.created.filter((j) => j.displayName === displayName).reverse();
    return Promise.all(matching.map((j) => this.get(j.name)));
  }

  async results(name: string, items: readonly BatchItem[]): Promise<BatchItemOutcome[]> {
    const job = await this.get(name);
    if (job.state !== "succeeded") throw new PermanentError("failed_precondition", `Provider batch job is ${job.state}, not succeeded`);
    return Promise.all(
      items.map(async (item): Promise<BatchItemOutcome> => {
        try {
          return { key: item.key, ok: true, result: await this.realtime.generateText(item.request) };
        } catch (err) {
          return { key: item.key, ok: false, error: toProviderError(err) };
        }
      }),
    );
  }

  private stateOf(name: string, parsed: Parsed): ProviderJobState {
    if (this.cancelled.has(name)) return "cancelled";
    const elapsed = this.clock.now() - parsed.createdAt;
    if (elapsed < this.delayMs / 2) return "pending";
    if (elapsed < this.delayMs) return "running";
    return parsed.outcome;
  }
}

function parse(name: string): Parsed | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { createdAt: Number(m[1]), outcome: m[3] as Outcome };
}

function notFound(name: string): PermanentError {
  return new PermanentError("not_found", `No offline batch job named ${name.slice(0, 80)}`);
}

/**
 * The server workflow engine: runs one row through a validated flow (a `ValidFlow` from
 * `parseFlow`, which carries its graph; see `RowExecution` for the scheduling rules). Stateless between calls and free of any host or UI dependency, so the batch
 * row runner, the preview endpoint and the simulator all share it.
 */
import type { AiService } from "../ai/port";
import { silentLogger, type Logger } from "../logger";
import type { Clock } from "../ports/clock";
import { systemClock } from "../system-clock";
import type { Governor } from "../governor/port";
import { DEFAULT_NODE_RETRY, type NodeRetryPolicy } from "./node-retry";
import { RowExecution, type RowDeps } from "./row-execution";
import type { ExecuteOptions, RowRun } from "./types";

export interface EngineDeps {
  ai: AiService;
  clock?: Clock;
  logger?: Logger;
  /** In-process retry of one AI node on RetryableError (brief blips); defaults to 3 attempts. */
  nodeRetry?: NodeRetryPolicy;
  /**
   * When set, every AI call first takes a permit from it and reports afterwards (shared quotas,
   * adaptive back-off). Absent: calls go straight to the provider, as before.
   */
  governor?: Governor;
  /** In-process wait for a permit before the row is handed back to the queue (default 5,000 ms). */
  governorMaxWaitMs?: number;
}

export const DEFAULT_GOVERNOR_WAIT_MS = 5_000;

export class ServerWorkflowEngine {
  private readonly ai: AiService;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly nodeRetry: NodeRetryPolicy;
  private readonly governor: RowDeps["governor"];

  constructor(deps: EngineDeps) {
    this.ai = deps.ai;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.nodeRetry = deps.nodeRetry ?? DEFAULT_NODE_RETRY;
    this.governor = deps.governor ? { governor: deps.governor, maxWaitMs: deps.governorMaxWaitMs ?? DEFAULT_GOVERNOR_WAIT_MS } : undefined;
  }

  /**
   * Runs the row. Never rejects for node failures: those are in the returned `RowRun`. Rejects
   * only with `ValidationError("invalid_flow")` for a flow that is not the object `parseFlow`
   * returned (a raw flow, or a copy that lost its graph).
   */
  async execute(opts: ExecuteOptions): Promise<RowRun> {
    const deps: RowDeps = {
      ai: this.ai,
      clock: this.clock,
      logger: this.logger,
      nodeRetry: this.nodeRetry,
      ...(this.governor ? { governor: this.governor } : {}),
    };
    return new RowExecution(deps, opts).run();
  }
}

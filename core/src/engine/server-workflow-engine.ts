/**
 * The server workflow engine: runs one row through a validated flow (see `RowExecution` for the
 * scheduling rules). Stateless between calls and free of any host or UI dependency, so the batch
 * row runner, the preview endpoint and the simulator all share it.
 */
import type { AiService } from "../ai/port";
import { silentLogger, type Logger } from "../logger";
import { systemClock, type Clock } from "../ports/clock";
import { DEFAULT_NODE_RETRY, type NodeRetryPolicy } from "./node-retry";
import { RowExecution } from "./row-execution";
import type { ExecuteOptions, RowRun } from "./types";

export interface EngineDeps {
  ai: AiService;
  clock?: Clock;
  logger?: Logger;
  /** In-process retry of one AI node on RetryableError (brief blips); defaults to 3 attempts. */
  nodeRetry?: NodeRetryPolicy;
}

export class ServerWorkflowEngine {
  private readonly ai: AiService;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly nodeRetry: NodeRetryPolicy;

  constructor(deps: EngineDeps) {
    this.ai = deps.ai;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    this.nodeRetry = deps.nodeRetry ?? DEFAULT_NODE_RETRY;
  }

  /**
   * Runs the row. Never rejects for node failures: those are in the returned `RowRun`. Throws only
   * for a flow that could not have passed `parseFlow` (a cycle).
   */
  async execute(opts: ExecuteOptions): Promise<RowRun> {
    const deps = { ai: this.ai, clock: this.clock, logger: this.logger, nodeRetry: this.nodeRetry };
    return new RowExecution(deps, opts).run();
  }
}

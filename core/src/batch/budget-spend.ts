/** The budget cap's arithmetic (pure): committed spend, the reserve of rows in flight, the tests. */
import type { ErrorInfo } from "../errors";
import { formatUsd } from "../governor/format-usd";
import { roundUsd } from "../governor/run-cost";
import { laneTotals } from "./finalize";
import type { JobState, Lane } from "./state";

export interface Spend {
  committedUsd: number;
  /** Reserve of the rows in flight in lanes other than the one asking. */
  reservedUsd: number;
  /** The job's average cost of a finished row so far (0 before the first): the reserve per row. */
  perRowUsd: number;
}

/** Committed spend and the reserve of rows in flight (excluding `self`), from the pass's lanes. */
export function spendOf(job: JobState, lanes: readonly Lane[], self: number): Spend {
  const totals = laneTotals(job, [...lanes]);
  const done = totals.completed + totals.failed;
  const perRow = done > 0 ? totals.costUsd / done : 0;
  const inFlight = lanes.filter((l) => l.index !== self && l.current !== null).length;
  return { committedUsd: totals.costUsd, reservedUsd: roundUsd(perRow * inFlight), perRowUsd: roundUsd(perRow) };
}

export const budgetReached = (budgetUsd: number, s: Spend): boolean => s.committedUsd + s.reservedUsd >= budgetUsd;

export function budgetPauseDetail(budgetUsd: number, s: Spend): ErrorInfo {
  const reserve = s.reservedUsd > 0 ? ` and ${formatUsd(s.reservedUsd)} is reserved for the rows still running` : "";
  return {
    code: "limit_exceeded",
    message: `The batch spent ${formatUsd(s.committedUsd)} of its ${formatUsd(budgetUsd)} budget${reserve}; raise the budget to resume`,
    retryable: false,
  };
}

/** Can a resume under `budgetUsd` start even one more row? (committed + reserve + one row stays under it) */
export const roomForARow = (budgetUsd: number, s: Spend): boolean => s.committedUsd + s.reservedUsd + s.perRowUsd < budgetUsd;

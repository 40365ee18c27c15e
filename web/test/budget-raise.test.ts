import { explainResumeError, parseBudgetInput, spentLine, suggestedBudget } from "../src/lib/budget-raise";

const paused = { costUsd: 0.5, budgetUsd: 0.5, totalRows: 100, completedRows: 9, failedRows: 1, pausedReason: "budget" as const };

describe("raising the budget of a budget-paused batch", () => {
  it("says what the batch spent of its budget", () => {
    expect(spentLine(paused)).toBe("Spent $0.50 of its $0.50 budget.");
    expect(spentLine({ ...paused, costUsd: 0.00000531, budgetUsd: 0.000005 })).toBe("Spent $0.00000531 of its $0.000005 budget.");
  });

  it("suggests a budget that covers the rows left at the cost per row so far", () => {
    // 10 rows cost $0.50: the 90 left need about $4.50, plus a tenth.
    expect(suggestedBudget(paused)).toBe(5.45);
    expect(suggestedBudget({ ...paused, completedRows: 0, failedRows: 0, costUsd: 0 })).toBe(1);
    const tiny = suggestedBudget({ ...paused, costUsd: 0.000002, budgetUsd: 0.000002, completedRows: 2, failedRows: 0, totalRows: 4 });
    expect(tiny).toBeGreaterThan(0.000002 + 2 * 0.000001);
    expect(String(tiny)).not.toContain("e");
  });

  it("accepts a number of dollars above the spend and refuses the rest in words", () => {
    expect(parseBudgetInput(" $2.5 ", paused)).toEqual({ ok: true, usd: 2.5 });
    expect(parseBudgetInput("0.4", paused)).toEqual({ ok: false, message: "The batch already spent $0.50: type a budget above that." });
    for (const bad of ["", "abc", "-1", "NaN", "0x10", "Infinity", "1,5"]) expect(parseBudgetInput(bad, paused).ok).toBe(false);
    expect(parseBudgetInput("0", { ...paused, costUsd: 0 })).toEqual({
      ok: false,
      message: "Type the new budget as an amount of US dollars above $0, for example 5 or 0.25.",
    });
  });

  it("explains a resume refused for want of budget, and leaves other errors alone", () => {
    const refused = {
      code: "failed_precondition" as const,
      message: "Batch j has spent $0.50 of its $0.50 budget; resume it with a budgetUsd above $0.55 (one more row)",
      retryable: false,
    };
    const said = explainResumeError(refused, paused).message;
    expect(said).toContain("spent $0.50 of $0.50");
    expect(said).toContain("Raise the budget above $0.55");
    expect(said).not.toContain("budgetUsd");
    const other = { code: "not_found" as const, message: "gone", retryable: false };
    expect(explainResumeError(other, paused)).toBe(other);
    expect(explainResumeError(refused, { ...paused, pausedReason: "user" })).toBe(refused);
  });
});

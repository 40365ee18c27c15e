import { checkRows, exceedsBytes, rowsToSubmit } from "../src/lib/row-checks";

const limits = { maxRows: 3, maxColumns: 3, maxCellBytes: 10 };

describe("checkRows", () => {
  it("reports empty required cells as warnings with the row number people count", () => {
    const report = checkRows({
      columns: ["title", "notes"],
      rows: [
        { title: "a", notes: "" },
        { title: "  ", notes: "x" },
      ],
      required: ["title"],
      limits,
    });
    expect(report.errorCount).toBe(0);
    expect(report.warningCount).toBe(1);
    expect(report.problems[0]).toMatchObject({ row: 1, column: "title", severity: "warning" });
    expect(report.problems[0]?.message).toContain("Row 2");
    expect([...report.rowsWithWarnings]).toEqual([1]);
  });

  it("blocks too-large cells (UTF-8 bytes), too many rows and columns the flow needs but nobody mapped", () => {
    const report = checkRows({
      columns: ["title"],
      rows: [{ title: "ok" }, { title: "ééééééé" }, { title: "a" }, { title: "b" }],
      required: ["title", "tone"],
      limits,
    });
    const messages = report.problems.map((p) => p.message).join("\n");
    expect(messages).toMatch(/4 rows; the limit is 3/);
    expect(messages).toMatch(/flow input "tone"/);
    expect(messages).toMatch(/Row 2: "title" is 14 B; the limit is 10 B/);
    expect(report.errorCount).toBe(3);
  });

  it("lists at most maxProblems and counts the rest", () => {
    const rows = Array.from({ length: 50 }, () => ({ title: "" }));
    const report = checkRows({ columns: ["title"], rows, required: ["title"], limits: { ...limits, maxRows: 100 }, maxProblems: 5 });
    expect(report.problems).toHaveLength(5);
    expect(report.omitted).toBe(45);
    expect(report.warningCount).toBe(50);
  });

  it("flags an empty CSV", () => {
    expect(checkRows({ columns: ["a"], rows: [], required: [], limits }).errorCount).toBe(1);
  });
});

describe("exceedsBytes and rowsToSubmit", () => {
  it("measures UTF-8 bytes, not characters", () => {
    expect(exceedsBytes("abcd", 10)).toBeNull();
    expect(exceedsBytes("€€€€", 10)).toBe(12);
    expect(exceedsBytes("€€€", 10)).toBeNull();
  });

  it("leaves rows with warnings out only when asked", () => {
    const report = checkRows({ columns: ["t"], rows: [{ t: "a" }, { t: "" }, { t: "c" }], required: ["t"], limits });
    const rows = ["r0", "r1", "r2"];
    expect(rowsToSubmit(rows, report, false)).toEqual(rows);
    expect(rowsToSubmit(rows, report, true)).toEqual(["r0", "r2"]);
  });
});

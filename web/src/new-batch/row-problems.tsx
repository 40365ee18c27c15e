/** The per-row check results shown before running: errors block, warnings can be left out. */
import type { RowCheckReport } from "../lib/row-checks";

export function RowProblems({ report, skip, onSkip }: { report: RowCheckReport; skip: boolean; onSkip: (skip: boolean) => void }) {
  if (report.errorCount === 0 && report.warningCount === 0) {
    return <p className="valid-note">✓ Every row passed the checks.</p>;
  }
  return (
    <div className={`banner ${report.errorCount > 0 ? "error" : "warn"}`} role={report.errorCount > 0 ? "alert" : "status"}>
      <div style={{ flex: 1 }}>
        <strong>
          {report.errorCount > 0 && `${report.errorCount} problem${report.errorCount === 1 ? "" : "s"} must be fixed before running`}
          {report.errorCount > 0 && report.warningCount > 0 && "; "}
          {report.warningCount > 0 && `${report.warningCount} warning${report.warningCount === 1 ? "" : "s"}`}
        </strong>
        <ul className="problems" aria-label="Row problems">
          {report.problems.map((p, i) => (
            <li key={i} className={p.severity}>
              {p.message}
            </li>
          ))}
          {report.omitted > 0 && <li>…and {report.omitted} more</li>}
        </ul>
        {report.rowsWithWarnings.size > 0 && (
          <label style={{ fontWeight: 400, display: "flex", gap: 6, marginTop: 6 }}>
            <input type="checkbox" checked={skip} onChange={(e) => onSkip(e.target.checked)} />
            Leave out the {report.rowsWithWarnings.size} row{report.rowsWithWarnings.size === 1 ? "" : "s"} with empty inputs
          </label>
        )}
      </div>
    </div>
  );
}

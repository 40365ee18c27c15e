/** Per-node trace of one row run: status, model, duration, tokens and error of every node. */
import type { PreviewNodeTrace } from "../backend/types";
import { formatMs } from "../lib/progress";
import { StatusBadge } from "./feedback";

export function TraceTable({ trace, label = "Per-node trace" }: { trace: Record<string, PreviewNodeTrace>; label?: string }) {
  return (
    <div className="table-wrap">
      <table className="simple" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            <th scope="col">Model</th>
            <th scope="col">Duration</th>
            <th scope="col">Tokens (in / out)</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(trace).map(([id, t]) => (
            <tr key={id}>
              <td>{id}</td>
              <td>
                <StatusBadge status={t.status} />
              </td>
              <td>{t.model ?? ""}</td>
              <td>{t.durationMs === undefined ? "" : formatMs(t.durationMs)}</td>
              <td>{t.usage ? `${t.usage.totalTokens} (${t.usage.inputTokens} / ${t.usage.outputTokens})` : ""}</td>
              <td style={{ whiteSpace: "normal" }}>{t.error ? `${t.error.code}: ${t.error.message}` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

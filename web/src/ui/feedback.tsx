/** Small shared pieces for loading, empty and error states, and status badges. */
import type { ReactNode } from "react";
import type { ErrorInfo } from "@core/errors";

export function Spinner({ label }: { label: string }) {
  return (
    <span className="row" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}

export function ErrorBanner({ error, title, onRetry, children }: { error: ErrorInfo | string; title?: string; onRetry?: () => void; children?: ReactNode }) {
  const info = typeof error === "string" ? { message: error, details: undefined } : error;
  return (
    <div className="banner error" role="alert">
      <div style={{ flex: 1 }}>
        {title && <strong>{title}: </strong>}
        {info.message}
        {info.details && info.details.length > 0 && (
          <ul>
            {info.details.slice(0, 12).map((d, i) => (
              <li key={i}>
                <code>{d.path}</code> {d.message}
              </li>
            ))}
          </ul>
        )}
        {children}
      </div>
      {onRetry && (
        <button type="button" className="small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status ${status.replace(/\s+/g, "-")}`}>{status}</span>;
}

/** One banner saying why rows of a running batch are waiting (rate limit, provider unreachable, ...). */
import type { RowWait } from "@core/batch/model";
import { useBackend } from "../backend/backend-context";
import { nextTryText, summarizeWaits } from "../lib/wait-reason";

export function WaitBanner({ waits, now }: { waits: readonly RowWait[]; now: number }) {
  const { config } = useBackend();
  const s = summarizeWaits(waits, config.provider);
  if (!s) return null;
  const next = nextTryText(s.nextAttemptAt, now);
  return (
    <div className="banner warn" role="status" data-testid="wait-banner">
      <div>
        <strong>
          {s.rows.toLocaleString()} row{s.rows === 1 ? " is" : "s are"} waiting to retry: {s.reason}.
        </strong>{" "}
        {next && `${next[0]?.toUpperCase() ?? ""}${next.slice(1)}. `}Last error: {s.lastMessage}
      </div>
    </div>
  );
}

/**
 * The webhook signing secret: whether there is one (created when, its last four characters) and
 * a button that creates or replaces it. The secret itself is shown once, right after that, and
 * never again: the server returns it only in the answer that created it.
 */
import { useCallback, useEffect, useState } from "react";
import { useBackend } from "../backend/backend-context";
import { toBackendError, type BackendError, type WebhookSecretInfo } from "../backend/types";
import { ErrorBanner } from "../ui/feedback";

export function WebhookSecretCard() {
  const { backend } = useBackend();
  const [info, setInfo] = useState<WebhookSecretInfo | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(() => {
    backend.getWebhookSecret().then(setInfo, (err: unknown) => setError(toBackendError(err)));
  }, [backend]);
  useEffect(load, [load]);
  const rotate = async (): Promise<void> => {
    setBusy(true);
    try {
      const created = await backend.rotateWebhookSecret();
      setShown(created.secret);
      setInfo({ exists: true, createdAt: created.createdAt, last4: created.secret.slice(-4) });
      setError(null);
    } catch (err) {
      setError(toBackendError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-label="Webhook secret">
      <h2>Webhook secret</h2>
      <p className="hint">
        Batches with a webhook URL sign each call with this secret: header <code>X-FlowCraft-Signature: t=…,v1=…</code>, HMAC-SHA256 of <code>t.body</code>.
        Verify it before trusting a call (see the README).
      </p>
      {error && <ErrorBanner error={error.info} />}
      {info && !shown && (
        <p data-testid="webhook-secret-state">
          {info.exists
            ? `A secret ending in …${info.last4 ?? ""} was created ${new Date(info.createdAt ?? 0).toLocaleString()}.`
            : "No secret yet: create one before giving a batch a webhook URL."}
        </p>
      )}
      {shown && (
        <div role="status">
          <p>Copy it now: it is shown only this once.</p>
          <p className="secret-value" data-testid="webhook-secret-value">
            {shown}
          </p>
        </div>
      )}
      <button type="button" disabled={busy || info === null} onClick={() => void rotate()}>
        {info?.exists ? "Replace secret" : "Create secret"}
      </button>
    </section>
  );
}

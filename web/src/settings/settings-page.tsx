/**
 * Settings: the AI limits every batch of this deployment shares, per model (requests and tokens
 * per minute, calls at once, requests per day). Each model shows its documented default, the
 * override in force (editable; blank = the default) and, read-only, what the adaptive back-off is
 * doing now (the rate in force after 429s, the provider's Retry-After, today's count). Save
 * replaces the model's override; Reset goes back to the default.
 */
import { useCallback, useEffect, useState } from "react";
import type { GovernorSettings, ModelSettings } from "@core/governor/settings";
import { useBackend } from "../backend/backend-context";
import { toBackendError, type BackendError } from "../backend/types";
import { FIELD_LABELS, LIMIT_FIELDS, describeLimit, fieldsOf, overrideOf, serverErrorsFor, type FieldErrors, type LimitFields } from "../lib/limits-form";
import { ErrorBanner, Spinner } from "../ui/feedback";
import { WebhookSecretCard } from "./webhook-secret-card";

/** How often the live state (adaptive rate, Retry-After, counts) is refreshed. */
const REFRESH_MS = 5_000;

type RowErrors = FieldErrors & { _?: string };

export function SettingsPage() {
  const { backend } = useBackend();
  const [settings, setSettings] = useState<GovernorSettings | null>(null);
  const [loadError, setLoadError] = useState<BackendError | null>(null);
  const [drafts, setDrafts] = useState<Record<string, LimitFields>>({});
  const [added, setAdded] = useState<string[]>([]);
  const [newModel, setNewModel] = useState("");

  const load = useCallback(() => {
    backend
      .getLimits()
      .then((s) => {
        setSettings(s);
        setLoadError(null);
      })
      .catch((err: unknown) => setLoadError(toBackendError(err)));
  }, [backend]);
  useEffect(() => {
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const applied = (model: string, next: GovernorSettings): void => {
    // A model changed here stays listed after a reset, even when the host no longer names it.
    setSettings(next);
    setAdded((a) => (a.includes(model) ? a : [...a, model]));
    setDrafts((d) => {
      const rest = { ...d };
      delete rest[model];
      return rest;
    });
  };

  if (!settings) {
    return (
      <div className="page">
        {loadError ? <ErrorBanner title="Cannot load the limits" error={loadError.info} onRetry={load} /> : <Spinner label="Loading the limits…" />}
      </div>
    );
  }
  const known = new Set(settings.models.map((m) => m.model));
  const rows: ModelSettings[] = [
    ...settings.models,
    ...added.filter((m) => !known.has(m)).map((model) => ({ model, defaults: {}, override: null, limits: {}, retryUntil: 0, dayCount: 0, inFlight: 0 })),
  ];
  const add = (): void => {
    const model = newModel.trim();
    if (model === "") return;
    if (!known.has(model)) setAdded((a) => (a.includes(model) ? a : [...a, model]));
    setNewModel("");
  };

  return (
    <div className="page">
      <h1>AI limits</h1>
      <p className="hint">
        Shared by every batch of this {backend.kind === "local" ? "host" : "deployment"}. Tell it your project's real quota: a 429 from the provider cuts a
        model's rate for every batch, and successes grow it back toward the limit set here. A blank field uses the default (
        {settings.defaultsVersion ? `defaults: ${settings.defaultsVersion}` : "this provider has no defaults: blank is no limit"}).
      </p>
      {loadError && <ErrorBanner title="The live figures could not be refreshed" error={loadError.info} />}
      <div className="limits-grid">
        {rows.map((m) => (
          <ModelCard
            key={m.model}
            settings={m}
            fields={drafts[m.model] ?? fieldsOf(m.override)}
            onFields={(f) => setDrafts((d) => ({ ...d, [m.model]: f }))}
            onApplied={(next) => applied(m.model, next)}
          />
        ))}
      </div>
      <form
        className="row card"
        aria-label="Add a model"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <label htmlFor="add-model">Add a model</label>
        <input
          id="add-model"
          type="text"
          placeholder="model id, or * for every other model"
          value={newModel}
          onChange={(e) => setNewModel(e.target.value)}
          style={{ flex: 1, minWidth: 180 }}
        />
        <button type="submit" disabled={newModel.trim() === ""}>
          Add
        </button>
      </form>
      <WebhookSecretCard />
    </div>
  );
}

function ModelCard({
  settings,
  fields,
  onFields,
  onApplied,
}: {
  settings: ModelSettings;
  fields: LimitFields;
  onFields: (f: LimitFields) => void;
  onApplied: (s: GovernorSettings) => void;
}) {
  const { backend } = useBackend();
  const [errors, setErrors] = useState<RowErrors>({});
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const { model } = settings;
  const idOf = (f: string): string => `limit-${model.replace(/[^A-Za-z0-9_-]/g, "_")}-${f}`;

  const send = (override: ReturnType<typeof overrideOf>["override"], done: string): void => {
    setBusy(true);
    setNote(null);
    backend
      .setLimits({ [model]: override })
      .then((next) => {
        setErrors({});
        setNote(done);
        onApplied(next);
      })
      .catch((err: unknown) => {
        const e = toBackendError(err);
        const byField = serverErrorsFor(e.info.details, model);
        setErrors(Object.keys(byField).length > 0 ? byField : { _: e.info.message });
      })
      .finally(() => setBusy(false));
  };
  const save = (): void => {
    const r = overrideOf(fields);
    if (Object.keys(r.errors).length > 0) return setErrors(r.errors);
    send(r.override, "Saved");
  };

  return (
    <section className="card limit-card" aria-label={model}>
      <h2>
        <code>{model === "*" ? "* (every other model)" : model}</code>
      </h2>
      <LiveState settings={settings} />
      <div className="limit-fields">
        {LIMIT_FIELDS.map((f) => (
          <div className="field" key={f}>
            <label htmlFor={idOf(f)}>{FIELD_LABELS[f]}</label>
            <input
              id={idOf(f)}
              type="text"
              inputMode="decimal"
              placeholder={`default: ${describeLimit(settings.defaults[f])}`}
              value={fields[f]}
              aria-invalid={errors[f] ? true : undefined}
              aria-describedby={errors[f] ? `${idOf(f)}-error` : undefined}
              onChange={(e) => {
                setNote(null);
                onFields({ ...fields, [f]: e.target.value });
              }}
            />
            <span className="hint">in force: {describeLimit(settings.limits[f])}</span>
            {errors[f] && (
              <p className="field-error" id={`${idOf(f)}-error`}>
                {errors[f]}
              </p>
            )}
          </div>
        ))}
      </div>
      {errors._ && <p className="field-error">{errors._}</p>}
      <div className="row">
        <button type="button" className="primary" disabled={busy} onClick={save}>
          Save
        </button>
        <button type="button" disabled={busy || settings.override === null} onClick={() => send(null, "Back to the default")}>
          Reset to default
        </button>
        {note && (
          <span className="hint" role="status">
            {note}
          </span>
        )}
      </div>
    </section>
  );
}

function LiveState({ settings }: { settings: ModelSettings }) {
  const waiting = settings.retryUntil > Date.now();
  const rate = settings.effectiveRpm;
  return (
    <p className="hint" aria-label={`${settings.model} live state`}>
      {rate !== undefined ? <>Adaptive rate in force: {Math.round(rate).toLocaleString()} requests/min (cut after a 429). </> : <>At the configured rate. </>}
      {waiting && <>Provider asked to wait until {new Date(settings.retryUntil).toLocaleTimeString()}. </>}
      Today: {settings.dayCount.toLocaleString()} requests{settings.inFlight > 0 ? `, ${settings.inFlight} in flight` : ""}.
    </p>
  );
}

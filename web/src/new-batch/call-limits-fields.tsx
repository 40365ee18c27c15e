/**
 * Optional per-batch caps on AI calls at once, one field per step type the flow has (text, image,
 * video): e.g. video 1 keeps slow video calls from holding every lane. Blank = no cap.
 */
import { useId } from "react";
import type { CallKind } from "@core/governor/port";
import type { KindFields } from "../lib/call-limits-form";

interface Props {
  kinds: readonly CallKind[];
  values: KindFields;
  errors: KindFields;
  onChange: (values: KindFields) => void;
}

const LABELS: Record<CallKind, string> = { text: "Text steps", image: "Image steps", video: "Video steps" };

export function CallLimitsFields({ kinds, values, errors, onChange }: Props) {
  const id = useId();
  if (kinds.length === 0) return null;
  return (
    <details className="field" open={Object.values(values).some((v) => (v ?? "").trim() !== "")}>
      <summary>Calls at once by step type (optional)</summary>
      <p className="hint">Caps this batch's AI calls in flight per step type, on top of the model limits in Settings. Blank means no cap.</p>
      <div className="row" style={{ gap: 16 }}>
        {kinds.map((kind) => {
          const fieldId = `${id}-${kind}`;
          const error = errors[kind];
          return (
            <div className="field" key={kind} style={{ width: 130 }}>
              <label htmlFor={fieldId}>{LABELS[kind]}</label>
              <input
                id={fieldId}
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                placeholder="no cap"
                value={values[kind] ?? ""}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${fieldId}-error` : undefined}
                onChange={(e) => onChange({ ...values, [kind]: e.target.value })}
              />
              {error && (
                <p className="field-error" id={`${fieldId}-error`}>
                  {error}
                </p>
              )}
            </div>
          );
        })}
      </div>
    </details>
  );
}

/** Labelled form fields for the node panel; each shows the validation messages for its field. */
import { useId, useState, type ReactNode } from "react";

interface Base {
  label: string;
  errors?: string[];
  hint?: ReactNode;
}

function Messages({ id, errors, hint }: { id: string; errors: string[]; hint?: ReactNode }) {
  return (
    <>
      {errors.map((message, i) => (
        <p key={i} className="field-error" id={i === 0 ? `${id}-err` : undefined}>
          {message}
        </p>
      ))}
      {hint && <p className="hint">{hint}</p>}
    </>
  );
}

export function TextField({
  label,
  value,
  onChange,
  errors = [],
  hint,
  multiline,
  mono,
  placeholder,
  list,
}: Base & {
  value: string;
  onChange: (value: string) => void;
  multiline?: boolean;
  mono?: boolean;
  placeholder?: string;
  list?: string;
}) {
  const id = useId();
  const common = {
    id,
    value,
    placeholder,
    "aria-invalid": errors.length > 0 ? true : undefined,
    "aria-describedby": errors.length > 0 ? `${id}-err` : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} className={mono ? "mono" : undefined} rows={5} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type="text" list={list} onChange={(e) => onChange(e.target.value)} />
      )}
      <Messages id={id} errors={errors} hint={hint} />
    </div>
  );
}

/** A number input that allows a blank (optional) value. */
export function NumberField({
  label,
  value,
  onChange,
  errors = [],
  hint,
  min,
  max,
  step,
}: Base & {
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  min?: number;
  max?: number;
  step?: number;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={step}
        value={value ?? ""}
        aria-invalid={errors.length > 0 ? true : undefined}
        aria-describedby={errors.length > 0 ? `${id}-err` : undefined}
        onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
      />
      <Messages id={id} errors={errors} hint={hint} />
    </div>
  );
}

export function SelectField({
  label,
  value,
  options,
  onChange,
  errors = [],
  hint,
}: Base & {
  value: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} aria-invalid={errors.length > 0 ? true : undefined} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Messages id={id} errors={errors} hint={hint} />
    </div>
  );
}

/**
 * JSON text edited freely; the parsed object is passed on only when the text is valid JSON. The
 * parent keys this field by node id, so the text is re-initialised when another node is shown.
 */
export function JsonField({
  label,
  value,
  onChange,
  errors = [],
  hint,
}: Base & {
  value: unknown;
  onChange: (value: Record<string, unknown> | undefined) => void;
}) {
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [parseError, setParseError] = useState<string | null>(null);
  const change = (next: string): void => {
    setText(next);
    if (next.trim() === "") {
      setParseError(null);
      onChange(undefined);
      return;
    }
    try {
      const parsed = JSON.parse(next) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("must be a JSON object");
      setParseError(null);
      onChange(parsed as Record<string, unknown>);
    } catch (err) {
      setParseError(`Not valid JSON yet: ${err instanceof Error ? err.message : "parse error"}`);
    }
  };
  return <TextField label={label} value={text} onChange={change} multiline mono errors={parseError ? [parseError, ...errors] : errors} hint={hint} />;
}

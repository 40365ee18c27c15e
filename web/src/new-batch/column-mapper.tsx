/** One select per flow input: which CSV column feeds it. */
import { useId } from "react";
import type { ColumnMapping } from "../lib/column-mapping";

function MappingRow({
  input,
  csvColumns,
  value,
  onChange,
}: {
  input: string;
  csvColumns: string[];
  value: string | null;
  onChange: (v: string | null) => void;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>
        Flow input <code>{input}</code>
      </label>
      <select id={id} value={value ?? ""} aria-invalid={value ? undefined : true} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">— choose a CSV column —</option>
        {csvColumns.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </>
  );
}

export function ColumnMapper({
  inputs,
  csvColumns,
  mapping,
  onChange,
}: {
  inputs: string[];
  csvColumns: string[];
  mapping: ColumnMapping;
  onChange: (m: ColumnMapping) => void;
}) {
  if (inputs.length === 0) return <p className="hint">This flow reads no CSV columns; every row runs the same prompts.</p>;
  return (
    <div className="mapping" role="group" aria-label="Column mapping">
      {inputs.map((input) => (
        <MappingRow key={input} input={input} csvColumns={csvColumns} value={mapping[input] ?? null} onChange={(v) => onChange({ ...mapping, [input]: v })} />
      ))}
    </div>
  );
}

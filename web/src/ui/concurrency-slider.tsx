/** Concurrency slider (rows run at the same time) with a visible label and value. */
import { useId } from "react";

/** The slider's top end, in the run dialog and the batch controls alike (below the host's limit when that is lower). */
export const SLIDER_MAX = 20;

interface Props {
  value: number;
  min?: number;
  max: number;
  onChange: (value: number) => void;
  label?: string;
  disabled?: boolean;
}

export function ConcurrencySlider({ value, min = 1, max, onChange, label = "Concurrency", disabled }: Props) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="slider">
        <input
          id={id}
          type="range"
          min={min}
          max={max}
          step={1}
          value={value}
          disabled={disabled}
          aria-valuetext={`${value} rows at a time`}
          onChange={(e) => onChange(Number(e.target.value))}
        />
        <output htmlFor={id} aria-live="polite">
          {value}
        </output>
        <span className="hint">row{value === 1 ? "" : "s"} at a time</span>
      </div>
    </div>
  );
}

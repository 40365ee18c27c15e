/** Choose a CSV: file picker or drop, or the example's sample CSV. */
import { useId, useState } from "react";

interface Props {
  onFile: (file: File) => void;
  onSample?: () => void;
  busy: boolean;
}

export function CsvUpload({ onFile, onSample, busy }: Props) {
  const id = useId();
  const [over, setOver] = useState(false);
  return (
    <div
      className={`dropzone${over ? " over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const file = e.dataTransfer.files[0];
        if (file) onFile(file);
      }}
    >
      <div className="field" style={{ alignItems: "center" }}>
        <label htmlFor={id}>CSV file (first line holds the column names)</label>
        <input
          id={id}
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onFile(file);
          }}
        />
        <p className="hint">or drop a file here</p>
        {onSample && (
          <button type="button" className="small" onClick={onSample} disabled={busy}>
            Use the example's sample CSV
          </button>
        )}
      </div>
    </div>
  );
}

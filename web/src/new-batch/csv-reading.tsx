/** While a CSV is read: its first rows (as soon as they are parsed) and how far the checks are. */
import { CsvPreview } from "./csv-preview";
import type { CsvHead, CsvReadProgress } from "./stream-csv";

export function CsvReading({ head, progress }: { head: CsvHead | null; progress: CsvReadProgress | null }) {
  const share = progress && progress.totalBytes > 0 ? progress.bytes / progress.totalBytes : 0;
  return (
    <section aria-label="Reading the CSV" className="field">
      <label>
        Checking every row… {progress ? `${progress.rows.toLocaleString()} rows read (${Math.floor(share * 100)}%)` : ""}
        <progress aria-label="CSV read progress" max={1} value={share} style={{ width: "100%" }} />
      </label>
      {head && <CsvPreview columns={head.columns} rows={head.rows} />}
    </section>
  );
}

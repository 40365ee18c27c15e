/** The first rows of the uploaded CSV, as the batch will see them (after mapping). */
export function CsvPreview({ columns, rows, limit = 5 }: { columns: string[]; rows: Record<string, string>[]; limit?: number }) {
  return (
    <div className="table-wrap" style={{ maxHeight: 220 }}>
      <table className="simple" aria-label="First rows of the CSV">
        <thead>
          <tr>
            <th scope="col">#</th>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, limit).map((row, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              {columns.map((c) => (
                <td key={c} title={row[c]}>
                  {row[c]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

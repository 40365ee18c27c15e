/** The empty canvas: start from a shipped example or from scratch. */
import type { FlowExample } from "../backend/types";
import { Spinner } from "../ui/feedback";

export function ExamplePicker({ examples, onPick, onBlank }: { examples: FlowExample[] | null; onPick: (e: FlowExample) => void; onBlank: () => void }) {
  return (
    <div className="empty" style={{ width: "100%" }}>
      <h2>Design a flow, then run it over every row of a CSV</h2>
      <p>Start from an example or from an empty canvas.</p>
      {examples === null ? (
        <Spinner label="Loading examples…" />
      ) : (
        <div className="example-grid">
          {examples.map((e) => (
            <button key={e.id} type="button" onClick={() => onPick(e)} aria-label={`Start from example: ${e.name}`}>
              <strong>{e.name}</strong>
              <span>{e.description}</span>
            </button>
          ))}
        </div>
      )}
      <button type="button" onClick={onBlank}>
        Start from scratch
      </button>
    </div>
  );
}

/**
 * The store's own write validation, run on a new job's documents BEFORE anything is written: the
 * job document gets the same document-data check every adapter runs on a write (`validateDocData`:
 * no arrays of arrays, no `__x__` field names, plain JSON only) plus the 1 MiB size limit, and the
 * input chunks get the checks their shape leaves open (column names become field names; sizes).
 * A flow that passes the flow schema can still hold data no document can store; without this the
 * rows would already be written when the job document was refused.
 */
import { ValidationError, type ErrorDetail } from "../errors";
import { documentSize, InvalidDataError, MAX_DOCUMENT_BYTES, validateDocData } from "../store-kit/doc-data";
import type { DocData } from "../ports/store";
import type { Write } from "./create-staging";

/** Maps a job-document field to the request field it came from (`flowConfig.x` → `flow.x`). */
function requestField(field: string): string {
  if (field.startsWith("flowConfig")) return `flow${field.slice("flowConfig".length)}`;
  return field || "(batch)";
}

function sizeProblem(size: number): string | null {
  return size > MAX_DOCUMENT_BYTES ? `is ${size} bytes as stored; at most ${MAX_DOCUMENT_BYTES} bytes fit one document` : null;
}

/** Throws one ValidationError (code invalid_flow when the flow is what cannot be stored). */
export function assertJobStorable(path: string, job: DocData): void {
  try {
    validateDocData(job);
  } catch (err) {
    if (!(err instanceof InvalidDataError)) throw err;
    const field = requestField(err.field);
    const code = field.startsWith("flow") ? "invalid_flow" : "invalid_input";
    throw new ValidationError("The batch cannot be stored", [{ path: field, message: err.details?.[0]?.message ?? err.message }], code);
  }
  const tooBig = sizeProblem(documentSize(path, job));
  if (tooBig) {
    throw new ValidationError("The flow is too large to store", [{ path: "flow", message: `the batch document (mostly the flow) ${tooBig}` }], "invalid_flow");
  }
}

/** Column names become field names in every row chunk; chunk sizes stay under the document limit. */
export function assertChunksStorable(columns: string[], chunks: Write[]): void {
  const details: ErrorDetail[] = [];
  columns.forEach((c, i) => {
    try {
      validateDocData({ [c]: "" });
    } catch (err) {
      if (!(err instanceof InvalidDataError)) throw err;
      details.push({ path: `columns[${i}]`, message: `"${c}": ${err.details?.[0]?.message ?? err.message}` });
    }
  });
  for (const c of chunks) {
    const tooBig = sizeProblem(c.bytes);
    if (tooBig) details.push({ path: "rows", message: `an input chunk ${tooBig}` });
  }
  if (details.length > 0) throw new ValidationError("The batch input cannot be stored", details.slice(0, 50));
}

/**
 * Checks on what a model returns before the engine hands it on to be stored. A JSON answer is
 * kept as a value inside the result document, so it must be storable there: at most
 * `MAX_JSON_DEPTH` levels and no store-reserved keys (`__proto__`, `__name__`). Otherwise one
 * answer would make the job's results, exports and retry unreadable. Arrays of arrays are fine
 * here: the row runner stores those as JSON text.
 */
import { PermanentError } from "../errors";
import { MAX_JSON_DEPTH, firstJsonProblem } from "../json-limits";

/** Store-reserved keys only: `constructor` or `prototype` in an answer harm nothing. */
const STORE_RESERVED = /^__.*__$/;

/** Returns `value`, or throws `invalid_output` naming where it cannot be stored. */
export function checkJsonOutput(nodeId: string, value: unknown): unknown {
  const problem = firstJsonProblem(value, { maxDepth: MAX_JSON_DEPTH, nestedArrays: true, reservedKeys: STORE_RESERVED });
  if (!problem) return value;
  throw new PermanentError(
    "invalid_output",
    `Node "${nodeId}" returned JSON that cannot be stored (${problem.path}: ${problem.message}); ask for a simpler shape in the JSON schema`,
  );
}

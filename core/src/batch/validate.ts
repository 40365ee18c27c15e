/**
 * createJob input validation: zod shape, limits, cells, and the flow against the CSV columns.
 * Collects every problem as {path, message} (capped) and throws ONE ValidationError, so nothing is
 * written on bad input. A bad flow yields code `invalid_flow`, anything else `invalid_input`.
 */
import { z } from "zod";
import { ValidationError, type ErrorDetail } from "../errors";
import { parseFlow } from "../flow/parse";
import { economyFlowProblems, JobMode } from "../economy/economy-mode";
import { JobCallLimits } from "../governor/port";
import type { ValidFlow } from "../flow/valid-flow";
import { reservedKeyProblem } from "../json-limits";
import type { CreateJobInput } from "./api";
import { MAX_COLUMN_NAME_BYTES, type BatchLimits } from "./limits";

export const MAX_DETAILS = 50;
/** Largest input row (JSON bytes) that still fits a Firestore document with headroom. */
export const MAX_ROW_BYTES = 900_000;

export const CreateJobSchema = z.object({
  ownerId: z.string().min(1),
  name: z.string().max(200).optional(),
  flow: z.unknown(),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.unknown())),
  concurrency: z.number().int().optional(),
  mode: JobMode.optional(),
  callLimits: JobCallLimits.optional(),
  start: z.boolean().optional(),
  budgetUsd: z.number().positive("budgetUsd must be more than 0").finite().optional(),
  webhookUrl: z.string().optional(),
});

export interface ValidJob {
  input: CreateJobInput;
  flow: ValidFlow;
  concurrency: number;
}

/**
 * The length of `s` in UTF-8, exactly as `new TextEncoder().encode(s).length` (a lone surrogate
 * counts as U+FFFD, 3 bytes) but without encoding it: job creation measures every cell and row.
 */
export function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

export function validateCreateJob(raw: unknown, limits: BatchLimits): ValidJob {
  const head = checkCreateHead(raw, limits);
  checkRows(head.input.columns, head.input.rows, limits, head.details);
  return finishCreateChecks(head);
}

/** What createJob checks before it looks at the rows: shape, columns, concurrency, the flow. */
export interface CreateHead {
  input: CreateJobInput;
  flow: ValidFlow | null;
  concurrency: number;
  flowProblems: ErrorDetail[];
  /** Problems found so far (row checks add theirs); capped at MAX_DETAILS when thrown. */
  details: ErrorDetail[];
}

/** Throws at once only for a malformed request; every other problem is collected. */
export function checkCreateHead(raw: unknown, limits: BatchLimits): CreateHead {
  const details: ErrorDetail[] = [];
  checkRawRowKeys(raw, details);
  const shape = CreateJobSchema.safeParse(raw);
  if (!shape.success) {
    const issues = shape.error.issues.map((i) => ({ path: i.path.join(".") || "(input)", message: i.message }));
    throw new ValidationError("The batch request is malformed", [...details, ...issues].slice(0, MAX_DETAILS));
  }
  const input = shape.data as CreateJobInput;
  checkColumns(input.columns, limits, details);
  const concurrency = input.concurrency ?? limits.defaultConcurrency;
  if (concurrency < limits.minConcurrency || concurrency > limits.maxConcurrency) {
    details.push({
      path: "concurrency",
      message: `must be between ${limits.minConcurrency} and ${limits.maxConcurrency} (got ${concurrency})`,
    });
  }
  const { flow, problems: flowProblems } = checkFlow(input.flow, input.columns, limits);
  if (flow && input.mode === "economy") details.push(...economyFlowProblems(flow));
  return { input, flow, concurrency, flowProblems, details };
}

/**
 * Throws ONE ValidationError for everything collected (the first MAX_DETAILS; the message gives
 * the total when more were found: `detailsTotal` counts problems beyond those kept), or returns
 * the valid job.
 */
export function finishCreateChecks(head: CreateHead, detailsTotal = head.details.length): ValidJob {
  const { flow, flowProblems, details } = head;
  const all = [...flowProblems, ...details].slice(0, MAX_DETAILS);
  if (all.length > 0 || !flow) {
    const code = flowProblems.length > 0 ? "invalid_flow" : "invalid_input";
    const total = flowProblems.length + Math.max(detailsTotal, details.length);
    const more = total > all.length ? ` (${total} problems; the first ${all.length} are listed)` : "";
    throw new ValidationError(`${code === "invalid_flow" ? "The flow is not valid for this CSV" : "The batch input is not valid"}${more}`, all, code);
  }
  return { input: head.input, flow, concurrency: head.concurrency };
}

/** Parses a flow for a batch with these columns; problems come back with paths under `flow`. */
export function checkFlow(raw: unknown, columns: string[], limits: BatchLimits): { flow: ValidFlow | null; problems: ErrorDetail[] } {
  try {
    return { flow: parseFlow(raw, { columns, maxNodes: limits.maxNodes }), problems: [] };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const problems = (err.details ?? []).map((d) => ({ path: d.path.startsWith("flow") ? d.path : `flow.${d.path}`, message: d.message }));
    return { flow: null, problems: problems.length > 0 ? problems.slice(0, MAX_DETAILS) : [{ path: "flow", message: err.message }] };
  }
}

function checkColumns(columns: string[], limits: BatchLimits, out: ErrorDetail[]): void {
  if (columns.length === 0) out.push({ path: "columns", message: "at least one column is required" });
  if (columns.length > limits.maxColumns) {
    out.push({ path: "columns", message: `at most ${limits.maxColumns} columns (got ${columns.length})` });
  }
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    const problem = columnProblem(c, seen);
    if (problem) out.push({ path: `columns[${i}]`, message: problem });
    seen.add(c);
  });
}

/** Column names become keys of every stored row: see json-limits.ts for the reserved ones. */
function columnProblem(c: string, seen: ReadonlySet<string>): string | null {
  if (c.trim() === "") return "column names must not be empty";
  if (seen.has(c)) return `duplicate column "${c}"`;
  const size = byteLength(c);
  if (size > MAX_COLUMN_NAME_BYTES) return `column name is ${size} bytes; at most ${MAX_COLUMN_NAME_BYTES} allowed`;
  return reservedKeyProblem(c);
}

/** Reserved row keys, read before zod (which drops a `__proto__` key without a word). */
function checkRawRowKeys(raw: unknown, out: ErrorDetail[]): void {
  const rows = typeof raw === "object" && raw !== null ? (raw as { rows?: unknown }).rows : undefined;
  if (!Array.isArray(rows)) return;
  for (let r = 0; r < rows.length && out.length < MAX_DETAILS; r++) {
    const row: unknown = rows[r];
    if (typeof row !== "object" || row === null) continue;
    for (const key of Object.keys(row)) {
      const problem = reservedKeyProblem(key);
      if (problem) out.push({ path: `rows[${r}].${key}`, message: problem });
    }
  }
}

function checkRows(columns: string[], rows: Record<string, unknown>[], limits: BatchLimits, out: ErrorDetail[]): void {
  if (!checkRowCount(rows.length, limits, out)) return;
  const known = new Set(columns);
  for (let r = 0; r < rows.length && out.length < MAX_DETAILS; r++) checkRow(known, rows[r] ?? {}, r, limits, out);
}

/** The row count's limits; false when the rows are too many to look at one by one. */
export function checkRowCount(count: number, limits: BatchLimits, out: ErrorDetail[]): boolean {
  if (count === 0) out.push({ path: "rows", message: "at least one row is required" });
  if (count <= limits.maxRows) return true;
  out.push({ path: "rows", message: `at most ${limits.maxRows} rows (got ${count})` });
  return false;
}

/** One row's keys, cell types and sizes (`r` is its batch index); returns the problems it added. */
export function checkRow(known: ReadonlySet<string>, row: Record<string, unknown>, r: number, limits: BatchLimits, out: ErrorDetail[]): number {
  const before = out.length;
  let bytes = 0;
  for (const [key, value] of Object.entries(row)) {
    if (!known.has(key)) out.push({ path: `rows[${r}].${key}`, message: "is not one of the columns" });
    if (typeof value !== "string") {
      out.push({ path: `rows[${r}].${key}`, message: "must be a string" });
      continue;
    }
    const size = byteLength(value);
    bytes += size + byteLength(key);
    if (size > limits.maxCellBytes) {
      out.push({ path: `rows[${r}].${key}`, message: `cell is ${size} bytes; at most ${limits.maxCellBytes} allowed` });
    }
  }
  if (bytes > MAX_ROW_BYTES) out.push({ path: `rows[${r}]`, message: `row is ${bytes} bytes; at most ${MAX_ROW_BYTES} allowed` });
  return out.length - before;
}

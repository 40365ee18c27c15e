/**
 * `flowcraft-batch run FLOW.json ROWS.csv`: validates the flow and CSV (exit 2 with field/row
 * details, nothing run), runs the batch through a local host (temp data dir unless --data-dir),
 * shows progress, writes the results file, its media folder and with --zip a ZIP (write-results.ts), and
 * exits 0 (all rows succeeded), 3 (some failed), 4 (paused: breaker, quota, budget; the results
 * so far are written once the rows in flight have finished) or 1. --estimate prints the estimate
 * instead (estimate-command.ts).
 */
import {
  DEFAULT_LIMITS,
  MAX_DRY_RUN_ROWS,
  atRest,
  formatUsd,
  ValidationError,
  exactProgress,
  isCancelled,
  isCompleted,
  isPaused,
  isTerminal,
  jsonLogger,
  checkCreateFromRows,
  csvRowSource,
  parseFlow,
  economyPlan,
  scanCsv,
  type Flow,
  type OpenText,
  type RowSource,
  type Job,
  type JobCallLimits,
  type JobMode,
  type QueueLimits,
} from "@flowcraft/core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LOCAL_OWNER, createLocalHost, type LocalHost } from "../local-host";
import { UsageError, intOption, stringOption, usdOption, type ParsedArgs } from "./args";
import { economyPollsFromEnv, type EconomyPolls } from "./economy-env";
import { estimateCommand } from "./estimate-command";
import { fatalMessage } from "./fatal";
import { INTERRUPTED_EXIT_CODE, onInterrupt } from "./interrupt";
import { JOB_LIMIT_OPTIONS, MODEL_LIMIT_OPTIONS, QUEUE_LIMIT_OPTIONS, modelLimitsFor, parseJobCallLimits, parseQueueLimits } from "./limit-flags";
import { createProgress } from "./progress";
import { chooseProvider, type ProviderChoice } from "./provider";
import { EXPORT_OPTIONS, resultsPlan, writeResults, type ResultsPlan, type WrittenResults } from "./write-results";

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

export const RUN_OPTIONS = {
  concurrency: "value",
  provider: "value",
  out: "value",
  json: "flag",
  "data-dir": "value",
  estimate: "flag",
  "budget-usd": "value",
  economy: "flag",
  "dry-run-rows": "value",
  help: "flag",
  ...EXPORT_OPTIONS,
  ...MODEL_LIMIT_OPTIONS,
  ...JOB_LIMIT_OPTIONS,
  ...QUEUE_LIMIT_OPTIONS,
} as const;

/** The CSV is read as a stream each time it is used (a check, then the create's two passes). */
type Inputs = { flow: unknown; columns: string[]; rowCount: number; source: RowSource };

async function readInputs(flowFile: string, rowsFile: string): Promise<Inputs> {
  return { flow: readFlowFile(flowFile), ...(await readCsvFile(rowsFile)) };
}

/** A flow file's JSON, or a ValidationError naming the file and whether it is missing or not JSON. */
export function readFlowFile(flowFile: string): unknown {
  try {
    // Editors on Windows often save UTF-8 with a byte order mark, which JSON.parse rejects.
    return JSON.parse(fs.readFileSync(flowFile, "utf8").replace(/^\uFEFF/, "")) as unknown;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : "not valid JSON";
    throw new ValidationError(`Cannot read the flow ${flowFile}`, [{ path: flowFile, message: reason }]);
  }
}

/** Checks the CSV as it is read (64 KiB at a time): neither the file nor its rows are ever held. */
async function readCsvFile(rowsFile: string): Promise<Omit<Inputs, "flow">> {
  const open = csvFileText(rowsFile);
  try {
    const { columns, rowCount } = await scanCsv(open, {});
    return { columns, rowCount, source: csvRowSource(open, {}) };
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : "cannot be read";
    throw new ValidationError(`Cannot read the CSV ${rowsFile}`, [{ path: rowsFile, message: reason }]);
  }
}

/** A fresh read of a CSV file (a utf8 stream decodes characters split between reads correctly). */
/** The file's bytes, 64 KiB at a time; `csvRows` decodes them (BOMs, UTF-16, non-UTF-8 refused). */
export const csvFileText =
  (file: string): OpenText =>
  () =>
    fs.createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Uint8Array>;

/** Refuses an --out the results could not be written to, before any row runs (and spends tokens). */
function checkWritableOut(out: string): void {
  const existing = statOrNull(out);
  if (existing?.isDirectory()) throw new UsageError(`--out ${out} is a directory: give a file name`);
  // Missing folders are created when the results are written: check the nearest one that exists.
  let target = existing ? out : path.dirname(path.resolve(out));
  while (!fs.existsSync(target) && path.dirname(target) !== target) target = path.dirname(target);
  const ok = (existing ? true : fs.statSync(target).isDirectory()) && canWrite(target);
  if (!ok) throw new UsageError(`cannot write the results file ${out}: ${target} is not a writable folder`);
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null; // missing, or a path through a file (ENOTDIR): checked below
  }
}

function canWrite(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function defaultOut(rowsFile: string): string {
  const ext = path.extname(rowsFile);
  return path.join(path.dirname(rowsFile), `${path.basename(rowsFile, ext)}.results.csv`);
}

/**
 * Resolves with the job once it ends, or once it is paused (by the breaker, the budget or the app)
 * and its rows in flight have committed, so the results written then are every row that ran.
 */
async function waitForEnd(host: LocalHost, jobId: string, onJob: (job: Job) => void): Promise<Job> {
  return new Promise<Job>((resolve, reject) => {
    let done = false;
    const finish = (job: Job): void => {
      if (done) return;
      done = true;
      unsubscribe();
      clearInterval(poll);
      resolve(job);
    };
    const check = (job: Job): void => {
      if (done) return;
      onJob(job);
      if (isTerminal(job.status)) return finish(job);
      if (!isPaused(job.status)) return;
      void atRest(host.deps.store, jobId).then(async (rest) => {
        if (rest) finish(await host.handlers.getJob(LOCAL_OWNER, jobId));
      }, reject);
    };
    const unsubscribe = host.events.subscribe(jobId, (e) => e.type === "job" && check(e.job), { results: false });
    // A slow poll as a safety net: progress also shows while no event arrives.
    const poll = setInterval(() => void host.handlers.getJob(LOCAL_OWNER, jobId).then(check, reject), 1_000);
    void host.handlers.getJob(LOCAL_OWNER, jobId).then(check, reject);
  });
}

/**
 * A paused job's rows in flight still finish and are counted: wait for them, then take the exact
 * counts and spend from the lanes (the job document trails them by the roll-up interval).
 */
async function settlePaused(host: LocalHost, paused: Job): Promise<Job> {
  for (;;) {
    const [p, job] = await Promise.all([exactProgress(host.deps.store, paused.id), host.handlers.getJob(LOCAL_OWNER, paused.id)]);
    if (!p || !isPaused(job.status)) return job;
    if (p.inFlight === 0) return { ...job, completedRows: p.completed, failedRows: p.failed, costUsd: p.costUsd };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A run that ended paused (circuit breaker, daily quota, budget, or paused from the app). */
export const PAUSED_EXIT_CODE = 4;

/** 0 every row succeeded, 3 finished with failed rows, 4 paused, 1 anything else (cancelled, job failure). */
export function exitCodeFor(job: Job): number {
  if (isPaused(job.status)) return PAUSED_EXIT_CODE;
  if (isCancelled(job.status)) return 1;
  if (job.failedRows > 0) return 3;
  return isCompleted(job.status) ? 0 : 1;
}

interface RunPlan {
  inputs: Inputs;
  rowsFile: string;
  out: string;
  results: ResultsPlan;
  concurrency: number | undefined;
  budgetUsd: number | undefined;
  /** `--economy`: text steps through provider batch jobs (absent: realtime). */
  mode: JobMode | undefined;
  provider: ProviderChoice;
  json: boolean;
  modelLimits: ReturnType<typeof modelLimitsFor>;
  /** The batch stays in a data directory the user gave (so a paused one can be resumed). */
  keepsData: boolean;
  callLimits: JobCallLimits | undefined;
  queueLimits: QueueLimits | undefined;
  /** Economy poll settings from FLOWCRAFT_ECONOMY_POLL_MS / _MAX_POLL_MS (economy-env.ts). */
  economyPolls: EconomyPolls | undefined;
}

/** What an economy run does on this host: provider batch jobs, or realtime when the provider has none (README, "Economy mode"). */
const ECONOMY_BATCHES = "economy mode: text steps go through provider batch jobs at the batch price, layer by layer (a layer can take up to 24 h)\n";
const ECONOMY_REALTIME = "economy mode: this provider has no batch jobs; the rows run through realtime calls, at the standard price\n";

/** The steps of an economy run that stay realtime (image / video steps, text steps below them), or nothing. */
function economyRealtimeNote(flow: unknown): string {
  const steps = economyPlan(flow as Pick<Flow, "nodes" | "edges">).realtime;
  if (steps.length === 0) return "";
  const list = steps.map((s) => `${s.id} (${s.type}${s.reason === "below-media" ? ", after an image or video step" : ""})`).join(", ");
  return `economy mode: these steps run realtime in the row tasks, at the standard price: ${list}\n`;
}

/** One run's state shared with the Ctrl-C handler: the batch to cancel, once it exists. */
interface RunState {
  started: number;
  jobId: string | null;
  interrupted: boolean;
}

function cancelRun(host: LocalHost, run: RunState): void {
  if (run.jobId !== null) void host.handlers.cancelJob(LOCAL_OWNER, run.jobId).catch(() => undefined);
}

/** Runs the batch to its end on `host`, writes the results file, and returns the exit code. */
async function runBatch(host: LocalHost, plan: RunPlan, io: CliIo, run: RunState): Promise<number> {
  const { inputs, concurrency } = plan;
  const { job } = await host.handlers.createJobFromRows({
    ...LOCAL_OWNER,
    name: path.basename(plan.rowsFile),
    flow: inputs.flow,
    columns: inputs.columns,
    source: inputs.source,
    start: true,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(plan.budgetUsd !== undefined ? { budgetUsd: plan.budgetUsd } : {}),
    ...(plan.mode ? { mode: plan.mode } : {}),
    ...(plan.callLimits ? { callLimits: plan.callLimits } : {}),
  });
  run.jobId = job.id;
  if (run.interrupted) cancelRun(host, run);
  const budget = job.budgetUsd !== null ? `, budget ${formatUsd(job.budgetUsd)}` : "";
  const mode = job.mode === "economy" ? ", economy mode" : "";
  io.stderr.write(`batch ${job.id}: ${job.totalRows} rows, concurrency ${job.concurrency}${budget}${mode}, provider ${plan.provider.name}\n`);
  if (job.mode === "economy") io.stderr.write(host.deps.economy ? ECONOMY_BATCHES + economyRealtimeNote(inputs.flow) : ECONOMY_REALTIME);
  const progress = createProgress(io.stderr, run.started);
  const ended = await waitForEnd(host, job.id, (j) => progress.update(j));
  const final = isPaused(ended.status) ? await settlePaused(host, ended) : ended;
  const written = await writeResults(host, job.id, plan.results);
  progress.finish(final);
  if (isPaused(final.status)) io.stderr.write(pausedNote(final, plan.keepsData));
  report(final, plan, written, io, run.started);
  return exitCodeFor(final);
}

function report(final: Job, plan: RunPlan, written: WrittenResults, io: CliIo, started: number): void {
  io.stderr.write(`results: ${plan.out}\n`);
  if (written.media) io.stderr.write(`media: ${written.media} (media cells are paths relative to the results file)\n`);
  if (written.zip) io.stderr.write(`zip: ${written.zip}\n`);
  if (plan.json) {
    const { id: jobId, status, totalRows, completedRows, failedRows, pausedReason, pauseDetail, costUsd } = final;
    const paused = isPaused(status) ? { pausedReason, pauseDetail } : {};
    const files = { out: plan.out, ...(written.zip ? { zip: written.zip } : {}) };
    const summary = { jobId, status, ...paused, totalRows, completedRows, failedRows, costUsd, durationMs: Date.now() - started, ...files };
    io.stdout.write(`${JSON.stringify(summary)}\n`);
  }
}

const PAUSE_WORDS: Record<NonNullable<Job["pausedReason"]>, string> = {
  user: "paused from the app",
  budget: "the budget was reached",
  circuit: "the circuit breaker stopped it (rows kept failing with the same cause)",
  quota: "the AI provider's daily quota is exhausted",
};

/** Why the run stopped paused, and how to go on. */
function pausedNote(job: Job, keepsData: boolean): string {
  const why = job.pausedReason ? PAUSE_WORDS[job.pausedReason] : "paused";
  const cause = job.pauseDetail ? ` Last error: ${job.pauseDetail.message}.` : "";
  const rest = job.totalRows - job.completedRows - job.failedRows;
  const next = keepsData
    ? `Fix the cause, then resume it from the app or POST /api/batches/${job.id}/resume (flowcraft-batch serve with the same data directory) to run the ${rest} rows left.`
    : `The batch was in a temporary data directory; fix the cause and run again (with --data-dir DIR to keep a paused batch resumable).`;
  return `paused: ${why}.${cause} The results so far are written. ${next}
`;
}

export async function runCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [flowFile, rowsFile, ...extra] = args.positionals;
  if (!flowFile || !rowsFile || extra.length > 0) throw new UsageError("run needs FLOW.json and ROWS.csv");
  const out = stringOption(args.options, "out") ?? defaultOut(rowsFile);
  const plan: RunPlan = {
    rowsFile,
    concurrency: intOption(args.options, "concurrency", 1, 50),
    budgetUsd: usdOption(args.options, "budget-usd"),
    mode: args.options.economy === true ? "economy" : undefined,
    out,
    results: resultsPlan(args, out),
    provider: chooseProvider(stringOption(args.options, "provider"), io.env, 0),
    inputs: await readInputs(flowFile, rowsFile),
    json: args.options.json === true,
    modelLimits: { defaults: {}, overrides: {} },
    keepsData: false,
    callLimits: parseJobCallLimits(args.options),
    queueLimits: parseQueueLimits(args.options),
    economyPolls: economyPollsFromEnv(io.env),
  };
  plan.modelLimits = modelLimitsFor(plan.provider.name, args.options);
  // Validate before any data directory is created: invalid input runs nothing and writes nothing.
  parseFlow(plan.inputs.flow, { columns: plan.inputs.columns, maxNodes: DEFAULT_LIMITS.maxNodes });
  // The rest of the create's checks (no rows, row size, data no document can store, ...) also run
  // before the data directory exists: one more streamed read of the file.
  const { flow, columns, source } = plan.inputs;
  await checkCreateFromRows(
    {
      ...LOCAL_OWNER,
      flow,
      columns,
      source,
      concurrency: plan.concurrency,
      budgetUsd: plan.budgetUsd,
      ...(plan.mode ? { mode: plan.mode } : {}),
      ...(plan.callLimits ? { callLimits: plan.callLimits } : {}),
    },
    DEFAULT_LIMITS,
  );
  const dryRunRows = intOption(args.options, "dry-run-rows", 1, MAX_DRY_RUN_ROWS);
  if (dryRunRows !== undefined && args.options.estimate !== true) throw new UsageError("--dry-run-rows goes with --estimate");
  if (args.options.estimate === true) return estimateCommand({ ...plan, dryRunRows, budgetUsd: plan.budgetUsd }, io);
  checkWritableOut(plan.out);
  // An explicit data directory (option, else environment) keeps the batch; otherwise a temporary one.
  const given = stringOption(args.options, "data-dir") ?? (io.env.FLOWCRAFT_DATA_DIR || undefined);
  const dataDir = given ?? fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-run-"));
  plan.keepsData = given !== undefined;
  const run: RunState = { started: Date.now(), jobId: null, interrupted: false };
  // An error thrown from a timer (a page found damaged mid-run) gets the same message as one at start.
  const onUncaught = (err: unknown): void => {
    io.stderr.write(fatalMessage(err));
    process.exit(1);
  };
  process.on("uncaughtException", onUncaught);
  const host = createLocalHost({
    dataDir,
    ai: plan.provider.ai,
    logger: jsonLogger("error"),
    modelLimits: plan.modelLimits,
    ...(plan.queueLimits ? { queueLimits: plan.queueLimits } : {}),
    ...(plan.economyPolls ? { economy: plan.economyPolls } : {}),
  });
  // Ctrl-C cancels the batch; the results so far are still written, then exit 130 (interrupt.ts).
  const interrupt = onInterrupt({
    stop: () => {
      run.interrupted = true;
      cancelRun(host, run);
    },
    force: () => process.exit(INTERRUPTED_EXIT_CODE),
  });
  try {
    const code = await runBatch(host, plan, io, run);
    return run.interrupted ? INTERRUPTED_EXIT_CODE : code;
  } finally {
    await host.close();
    if (!given) fs.rmSync(dataDir, { recursive: true, force: true });
    interrupt.dispose();
    process.off("uncaughtException", onUncaught);
  }
}

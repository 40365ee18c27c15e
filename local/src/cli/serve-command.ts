/**
 * `flowcraft-batch serve`: the local host behind the HTTP API and the web app, until SIGINT (exit
 * 130) or SIGTERM (exit 0). Prints the URL and the active provider; loopback addresses only.
 */
import { jsonLogger } from "@flowcraft/core";
import path from "node:path";
import { createLocalHost } from "../local-host";
import { createApiServer, listen } from "../http/server";
import { UsageError, intOption, stringOption, type ParsedArgs } from "./args";
import { INTERRUPTED_EXIT_CODE, onInterrupt } from "./interrupt";
import { ListenError, fatalMessage } from "./fatal";
import { allowedOrigins } from "./origins";
import { economyPollsFromEnv, type EconomyPolls } from "./economy-env";
import { chooseProvider, type ProviderChoice } from "./provider";
import { installSocketGuard } from "./socket-guard";
import { MODEL_LIMIT_OPTIONS, QUEUE_LIMIT_OPTIONS, modelLimitsFor, parseQueueLimits } from "./limit-flags";
import type { CliIo } from "./run-command";

export const SERVE_OPTIONS = {
  port: "value",
  host: "value",
  "data-dir": "value",
  provider: "value",
  "allow-origin": "list",
  "retention-days": "value",
  help: "flag",
  ...MODEL_LIMIT_OPTIONS,
  ...QUEUE_LIMIT_OPTIONS,
} as const;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** The repo root as seen from this bundle (local/dist/*.js) or source (local/src/cli/*.ts). */
function repoRoot(): string {
  const here = __dirname;
  return path.basename(here) === "cli" ? path.resolve(here, "../../..") : path.resolve(here, "../..");
}

/** Per-row logs are debug/info: a 10,000-row batch should not flood the terminal by default. */
function logLevel(raw: string | undefined): "debug" | "info" | "warn" | "error" {
  return raw === "debug" || raw === "info" || raw === "error" ? raw : "warn";
}

interface ServePlan {
  port: number;
  bind: string;
  dataDir: string;
  provider: ProviderChoice;
  allowedOrigins: string[];
  /** Days finished batches are kept (undefined: forever). */
  retentionDays: number | undefined;
  /** Economy poll settings from FLOWCRAFT_ECONOMY_POLL_MS / _MAX_POLL_MS (economy-env.ts). */
  economyPolls: EconomyPolls | undefined;
}

/** Every option checked before anything starts (usage errors exit 2 with nothing opened). */
function planServe(args: ParsedArgs, io: CliIo): ServePlan {
  if (args.positionals.length > 0) throw new UsageError("serve takes no arguments");
  const withEnv: ParsedArgs["options"] = { ...args.options };
  if (withEnv.port === undefined && io.env.PORT) withEnv.port = io.env.PORT;
  const bind = stringOption(args.options, "host") ?? "127.0.0.1";
  if (!LOOPBACK.has(bind)) throw new UsageError("--host must be a loopback address (127.0.0.1, localhost or ::1)");
  return {
    port: intOption(withEnv, "port", 0, 65535) ?? 8787,
    bind,
    dataDir: path.resolve(stringOption(args.options, "data-dir") ?? io.env.FLOWCRAFT_DATA_DIR ?? ".data"),
    provider: chooseProvider(stringOption(args.options, "provider"), io.env, 300),
    allowedOrigins: allowedOrigins(args.options, io.env),
    retentionDays: retentionDays(args.options, io.env),
    economyPolls: economyPollsFromEnv(io.env),
  };
}

/** `--retention-days N` (or $FLOWCRAFT_RETENTION_DAYS): whole days, 1 to 36500. */
function retentionDays(options: ParsedArgs["options"], env: CliIo["env"]): number | undefined {
  const withEnv = { ...options };
  if (withEnv["retention-days"] === undefined && env.FLOWCRAFT_RETENTION_DAYS) withEnv["retention-days"] = env.FLOWCRAFT_RETENTION_DAYS;
  return intOption(withEnv, "retention-days", 1, 36_500);
}

function printBanner(io: CliIo, plan: ServePlan, bound: number): void {
  const shown = plan.bind.includes(":") ? `[${plan.bind}]` : plan.bind;
  io.stdout.write(`FlowCraft Batch listening on http://${shown}:${bound}\n`);
  const hint = plan.provider.name === "offline" ? " (deterministic, no network; set GEMINI_API_KEY to use Gemini)" : "";
  io.stdout.write(`AI provider: ${plan.provider.name}${hint}\nData directory: ${plan.dataDir}\n`);
  if (plan.retentionDays !== undefined) io.stdout.write(`Finished batches are deleted ${plan.retentionDays} days after they finish\n`);
  if (plan.allowedOrigins.length > 0) io.stdout.write(`Also accepting requests from: ${plan.allowedOrigins.join(", ")}\n`);
}

/**
 * Resolves on SIGTERM (a service manager: exit 0) or Ctrl-C (exit 130, like `run`; see
 * interrupt.ts). Installed before the server listens: a signal that arrives while the banner is
 * printed must meet this handler, not Node's default action, which kills without a shutdown.
 */
function stopSignals(): Promise<number> {
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const interrupt = onInterrupt({ stop, force: () => process.exit(INTERRUPTED_EXIT_CODE) });
  process.once("SIGTERM", stop);
  // The SIGINT handler stays until the process exits: a copy of the signal arriving during the
  // shutdown must not kill it.
  return stopped.then(() => {
    process.off("SIGTERM", stop);
    return interrupt.interrupted ? INTERRUPTED_EXIT_CODE : 0;
  });
}

export async function serveCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const plan = planServe(args, io);
  const logger = jsonLogger(logLevel(io.env.FLOWCRAFT_LOG_LEVEL));
  const modelLimits = modelLimitsFor(plan.provider.name, args.options);
  const queueLimits = parseQueueLimits(args.options);
  const host = createLocalHost({
    dataDir: plan.dataDir,
    ai: plan.provider.ai,
    logger,
    modelLimits,
    ...(queueLimits ? { queueLimits } : {}),
    ...(plan.retentionDays !== undefined ? { retentionDays: plan.retentionDays } : {}),
    ...(plan.economyPolls ? { economy: plan.economyPolls } : {}),
  });
  const removeGuard = installSocketGuard({
    logger,
    fatal: (err) => {
      io.stderr.write(fatalMessage(err));
      process.exit(1);
    },
  });
  const root = repoRoot();
  const server = createApiServer({
    host,
    provider: plan.provider.name,
    webDir: path.join(root, "web/dist"),
    examplesDir: path.join(root, "examples"),
    logger,
    allowedOrigins: plan.allowedOrigins,
  });
  const stopped = stopSignals();
  let bound: number;
  try {
    bound = await listen(server, plan.port, plan.bind);
  } catch (err) {
    // Nothing was served: release the data directory (its lock, workers and timers) before reporting.
    await host.close();
    removeGuard();
    throw new ListenError(plan.bind, plan.port, err);
  }
  printBanner(io, plan, bound);
  const code = await stopped;
  io.stderr.write("shutting down\n");
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await host.close();
  removeGuard();
  return code;
}

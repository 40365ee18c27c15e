/**
 * `flowcraft-batch serve`: the local host behind the HTTP API and the web app, until SIGINT or
 * SIGTERM. Prints the URL and the active provider; loopback addresses only.
 */
import { jsonLogger } from "@flowcraft/core";
import path from "node:path";
import { createLocalHost } from "../local-host";
import { createApiServer, listen } from "../http/server";
import { UsageError, intOption, stringOption, type ParsedArgs } from "./args";
import { MODEL_LIMIT_OPTIONS, modelLimitsFor } from "./limit-flags";
import { chooseProvider } from "./provider";
import type { CliIo } from "./run-command";

export const SERVE_OPTIONS = { port: "value", host: "value", "data-dir": "value", provider: "value", help: "flag", ...MODEL_LIMIT_OPTIONS } as const;
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

export async function serveCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError("serve takes no arguments");
  const withEnv: ParsedArgs["options"] = { ...args.options };
  if (withEnv.port === undefined && io.env.PORT) withEnv.port = io.env.PORT;
  const port = intOption(withEnv, "port", 0, 65535) ?? 8787;
  const bind = stringOption(args.options, "host") ?? "127.0.0.1";
  if (!LOOPBACK.has(bind)) throw new UsageError("--host must be a loopback address (127.0.0.1, localhost or ::1)");
  const dataDir = path.resolve(stringOption(args.options, "data-dir") ?? io.env.FLOWCRAFT_DATA_DIR ?? ".data");
  const provider = chooseProvider(stringOption(args.options, "provider"), io.env, 300);
  const logger = jsonLogger(logLevel(io.env.FLOWCRAFT_LOG_LEVEL));
  const modelLimits = modelLimitsFor(provider.name, args.options);
  const host = createLocalHost({ dataDir, ai: provider.ai, logger, modelLimits });
  const root = repoRoot();
  const server = createApiServer({
    host,
    provider: provider.name,
    webDir: path.join(root, "web/dist"),
    examplesDir: path.join(root, "examples"),
    logger,
  });
  const bound = await listen(server, port, bind);
  const shown = bind.includes(":") ? `[${bind}]` : bind;
  io.stdout.write(`FlowCraft Batch listening on http://${shown}:${bound}\n`);
  const hint = provider.name === "offline" ? " (deterministic, no network; set GEMINI_API_KEY to use Gemini)" : "";
  io.stdout.write(`AI provider: ${provider.name}${hint}\nData directory: ${dataDir}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  io.stderr.write("shutting down\n");
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await host.close();
  return 0;
}

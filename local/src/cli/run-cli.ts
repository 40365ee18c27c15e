/**
 * Entry logic shared by the `flowcraft-batch` bin and `main.js`: dispatches the command and turns
 * errors into exit codes (2 for usage and validation problems with their details, 1 otherwise).
 */
import { ValidationError } from "@flowcraft/core";
import { UsageError, parseArgs } from "./args";
import { HELP } from "./help";
import { RUN_OPTIONS, runCommand, type CliIo } from "./run-command";
import { SERVE_OPTIONS, serveCommand } from "./serve-command";
import { TEMPLATE_OPTIONS, templateCommand } from "./template-command";
import { errorFields } from "../log-error";
import { ListenError, damagedDataMessage } from "./fatal";

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = argv.find((a) => !a.startsWith("-"));
    const spec = command === "serve" ? SERVE_OPTIONS : command === "template" ? TEMPLATE_OPTIONS : RUN_OPTIONS;
    const args = parseArgs(argv, spec);
    if (args.options.help || args.command === null) {
      (args.options.help ? io.stdout : io.stderr).write(HELP);
      return args.options.help ? 0 : 2;
    }
    if (args.command === "run") return await runCommand(args, io);
    if (args.command === "serve") return await serveCommand(args, io);
    if (args.command === "template") return templateCommand(args, io);
    throw new UsageError(`unknown command "${args.command}"`);
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.stderr.write(`error: ${err.message}\nRun flowcraft-batch --help for usage.\n`);
    return 2;
  }
  if (err instanceof ValidationError) {
    io.stderr.write(`error: ${err.message}\n`);
    for (const d of err.details ?? []) io.stderr.write(`  ${d.path}: ${d.message}\n`);
    return 2;
  }
  if (err instanceof ListenError) {
    io.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  const damaged = damagedDataMessage(err);
  if (damaged !== null) {
    io.stderr.write(damaged);
    return 1;
  }
  const f = errorFields(err);
  io.stderr.write(`error: ${f.error}\n`);
  return 1;
}

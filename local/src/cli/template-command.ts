/**
 * `flowcraft-batch template FLOW.json [--out FILE]`: writes the flow's CSV template (its input
 * columns as a header plus one example row, core's flowTemplate) to FILE, or to stdout. Exit 0;
 * an unreadable or invalid flow is 2 with the details (run-cli.ts).
 */
import { flowTemplate } from "@flowcraft/core";
import fs from "node:fs";
import path from "node:path";
import { UsageError, stringOption, type ParsedArgs } from "./args";
import { readFlowFile, type CliIo } from "./run-command";

export const TEMPLATE_OPTIONS = { out: "value", help: "flag" } as const;

export function templateCommand(args: ParsedArgs, io: CliIo): number {
  const [flowFile, extra] = args.positionals;
  if (flowFile === undefined) throw new UsageError("template needs FLOW.json");
  if (extra !== undefined) throw new UsageError(`template takes one file, not "${extra}"`);
  const { csv, columns } = flowTemplate(readFlowFile(flowFile));
  const out = stringOption(args.options, "out");
  if (out === undefined) {
    io.stdout.write(csv);
    return 0;
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, csv);
  io.stderr.write(`wrote ${out}: ${columns.length} column${columns.length === 1 ? "" : "s"} (${columns.join(", ")}) and one example row\n`);
  return 0;
}

/** Process entry of the local host bundle (`node local/dist/main.js serve|run ...`). */
import { runCli } from "./cli/run-cli";

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
  // Leave nothing running (timers, sockets) past the command's end.
  setImmediate(() => process.exit(code));
});

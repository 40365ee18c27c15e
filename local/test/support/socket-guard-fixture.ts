/**
 * Child process for the socket guard test: with the guard installed, a server-side socket that is
 * written after its end (the error has no listener) must not stop the process; `fatal` makes a
 * plain uncaught error stop it with exit code 1.
 */
import { jsonLogger } from "@flowcraft/core";
import net from "node:net";
import { installSocketGuard } from "../../src/cli/socket-guard";

const mode = process.argv[2];
installSocketGuard({
  logger: jsonLogger("warn"),
  fatal: (err) => {
    process.stderr.write(`fatal: ${String(err)}\n`);
    process.exit(1);
  },
});

const server = net.createServer((socket) => {
  socket.end("bye");
  socket.write("after the end"); // emits ERR_STREAM_WRITE_AFTER_END on a socket with no 'error' listener
  setTimeout(() => {
    if (mode === "fatal") throw new Error("a real fault");
    process.stdout.write("still serving\n");
    server.close();
    process.exit(0);
  }, 50);
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as net.AddressInfo;
  net
    .connect({ host: "127.0.0.1", port })
    .on("error", () => undefined)
    .resume();
});

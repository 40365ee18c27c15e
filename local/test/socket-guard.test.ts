/**
 * The serve process's guard: an error from one client's socket that no listener handled leaves
 * the process running; any other uncaught error still stops it (exit 1). Real sockets on
 * 127.0.0.1 in a child process, since the guard acts on the whole process.
 */
import path from "node:path";
import { REPO } from "./support/test-server";
import { runNode } from "./support/child";
import { isClientConnectionError } from "../src/cli/socket-guard";

const RUN_TS = path.join(REPO, "scripts/run-ts.js");
const FIXTURE = "local/test/support/socket-guard-fixture.ts";

describe("socket guard", () => {
  it("keeps the process running after a socket error nobody listened for", async () => {
    const r = await runNode(RUN_TS, [FIXTURE, "socket"], {}, REPO);
    expect(r.stdout).toContain("still serving");
    expect(r.stderr).toContain("ERR_STREAM_WRITE_AFTER_END");
    expect(r.code).toBe(0);
  });

  it("still stops the process on any other uncaught error", async () => {
    const r = await runNode(RUN_TS, [FIXTURE, "fatal"], {}, REPO);
    expect(r.stderr).toContain("fatal: Error: a real fault");
    expect(r.code).toBe(1);
  });

  it.each([
    ["EPIPE", true],
    ["ECONNRESET", true],
    ["ERR_STREAM_WRITE_AFTER_END", true],
    ["SQLITE_FULL", false],
    [undefined, false],
  ])("classifies code %s as a client connection error: %s", (code, expected) => {
    expect(isClientConnectionError(Object.assign(new Error("x"), { code }))).toBe(expected);
  });
});

/**
 * One process owns a data directory: a live owner makes another process refuse it (so two hosts
 * never run the same queue), a dead owner's claim is taken over (restart after a crash).
 */
import { openDb } from "../src/sqlite/open-db";
import { DataDirInUseError, claimOwnership, releaseOwnership } from "../src/sqlite/owner-lock";

describe("data directory ownership", () => {
  it("refuses a directory a live process owns and takes over one a dead process owned", () => {
    const db = openDb(":memory:");
    const setOwner = (pid: number) => db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('owner_pid', ?)").run(String(pid));

    setOwner(process.ppid); // alive: the process that started this test runner
    expect(() => claimOwnership(db)).toThrow(DataDirInUseError);

    setOwner(2 ** 22 + 12_345); // above Linux's pid_max default: no such process
    expect(() => claimOwnership(db)).not.toThrow();
    expect(db.prepare("SELECT value FROM meta WHERE key = 'owner_pid'").pluck().get()).toBe(String(process.pid));

    releaseOwnership(db);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'owner_pid'").pluck().get()).toBeUndefined();
    db.close();
  });
});

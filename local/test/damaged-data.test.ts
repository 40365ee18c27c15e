/**
 * A damaged data directory stops `serve` and `run` with one clear message that says what to do:
 * no stack trace, a non-zero exit, and every file exactly as it was (nothing opened it for
 * writing). The database is a real one, written by a local host, then damaged in several ways.
 */
import { OfflineAiService } from "@flowcraft/core";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { createLocalHost, LOCAL_OWNER } from "../src/local-host";
import { LOCAL, buildBundles, runNode } from "./support/child";
import { TEXT_FLOW } from "./support/flows";

const MAIN = path.join(LOCAL, "dist/main.js");
let root: string;
let pristine: string;

beforeAll(async () => {
  buildBundles();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "fc-damaged-"));
  pristine = path.join(root, "pristine");
  const host = createLocalHost({ dataDir: pristine, ai: new OfflineAiService({ latencyMs: 0 }), groupCommit: false });
  const rows = Array.from({ length: 200 }, (_, i) => ({ topic: `topic ${i} ${"x".repeat(200)}` }));
  await host.handlers.createJob({ ...LOCAL_OWNER, flow: TEXT_FLOW, columns: ["topic"], rows });
  await host.close();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function pageSize(db: Buffer): number {
  const raw = db.readUInt16BE(16);
  return raw === 1 ? 65536 : raw;
}

/** The first page of the documents table: a b-tree page in the middle of the file. */
function documentsRootPage(file: string): number {
  const db = new Database(file, { readonly: true });
  const page = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'documents'").pluck().get() as number;
  db.close();
  return page;
}

const DAMAGE: [string, (dir: string) => void][] = [
  ["a garbage header", (dir) => rewrite(dir, (b) => Buffer.concat([Buffer.from("not the sqlite header!"), b.subarray(22)]))],
  [
    "a garbage page in the middle",
    (dir) => {
      const page = documentsRootPage(path.join(dir, "flowcraft.db"));
      rewrite(dir, (b) => {
        const size = pageSize(b);
        b.fill(0xa5, (page - 1) * size, page * size);
        return b;
      });
    },
  ],
  ["a truncated file", (dir) => rewrite(dir, (b) => b.subarray(0, Math.floor(b.length / 3) + 100))],
  ["a file that is not SQLite at all", (dir) => rewrite(dir, () => Buffer.from("name,value\nthis is a CSV file\n".repeat(200)))],
  ["a garbage write-ahead log", (dir) => fs.writeFileSync(path.join(dir, "flowcraft.db-wal"), Buffer.alloc(40_000, 0x5a))],
];

function rewrite(dir: string, change: (bytes: Buffer) => Buffer): void {
  const file = path.join(dir, "flowcraft.db");
  fs.writeFileSync(file, change(fs.readFileSync(file)));
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort())
    out[name] = createHash("sha256")
      .update(fs.readFileSync(path.join(dir, name)))
      .digest("hex");
  return out;
}

describe.each(DAMAGE)("a data directory with %s", (_label, damage) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(root, "case-"));
    fs.cpSync(pristine, dir, { recursive: true });
    damage(dir);
  });

  it.each([
    ["serve", () => ["serve", "--port", "0", "--data-dir", dir]],
    [
      "run",
      () => {
        const flow = path.join(root, "flow.json");
        const rows = path.join(root, "rows.csv");
        fs.writeFileSync(flow, JSON.stringify(TEXT_FLOW));
        fs.writeFileSync(rows, "topic\na\n");
        return ["run", flow, rows, "--data-dir", dir, "--out", path.join(root, "out.csv")];
      },
    ],
  ])("%s stops with one clear message and leaves the files as they were", async (_cmd, args) => {
    const argv = args();
    const before = snapshot(dir);
    const r = await runNode(MAIN, argv);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(r.stderr).toContain("is damaged");
    expect(r.stderr).toContain("move the directory aside");
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("an intact data directory", () => {
  it("passes the check and starts (the check itself leaves no files behind)", async () => {
    const dir = fs.mkdtempSync(path.join(root, "intact-"));
    fs.cpSync(pristine, dir, { recursive: true });
    const before = Object.keys(snapshot(dir));
    const { checkDataFile } = await import("../src/sqlite/check-data-file");
    expect(() => checkDataFile(path.join(dir, "flowcraft.db"))).not.toThrow();
    expect(Object.keys(snapshot(dir))).toEqual(before);
  });
});

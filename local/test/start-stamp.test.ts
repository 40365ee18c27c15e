/**
 * `npm start` skips a build only when its stamp matches its inputs: an edited, added or deleted
 * source file, a changed build variable, or a missing output makes it build again. `buildStale`
 * (also used by the browser tests' harness) applies that rule: it builds and stamps what is stale,
 * skips what is fresh, and leaves no stamp after a failed build.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BuildFailed, TARGETS, buildStale, clearStamp, fingerprint, isFresh, targetsNamed, writeStamp, type BuildTarget } from "../../scripts/build-stamp";

const target: BuildTarget = {
  name: "app",
  command: ["true", []],
  inputs: ["app/src", "app/index.html", "app/.env"],
  envPrefixes: ["VITE_"],
  outDir: "app/dist",
  outputs: ["app/dist/index.html"],
};

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fc-stamp-"));
  fs.mkdirSync(path.join(root, "app/src/deep"), { recursive: true });
  fs.mkdirSync(path.join(root, "app/dist"), { recursive: true });
  fs.writeFileSync(path.join(root, "app/src/main.ts"), "export const a = 1;\n");
  fs.writeFileSync(path.join(root, "app/src/deep/b.ts"), "export const b = 2;\n");
  fs.writeFileSync(path.join(root, "app/index.html"), "<div id=root></div>\n");
  fs.writeFileSync(path.join(root, "app/dist/index.html"), "built\n");
  return root;
}

/** Builds (stamps) the project as it is now, as npm start does after a successful build. */
const stamp = (root: string, env: NodeJS.ProcessEnv = {}): void => writeStamp(root, target, fingerprint(root, target, env));
const fresh = (root: string, env: NodeJS.ProcessEnv = {}): boolean => isFresh(root, target, fingerprint(root, target, env));

describe("npm start build stamps", () => {
  let root: string;
  beforeEach(() => (root = project()));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("is stale before the first build and fresh right after it", () => {
    expect(fresh(root)).toBe(false);
    stamp(root);
    expect(fresh(root)).toBe(true);
  });

  it("is stale after a source file changes, even to the same size and modification time", () => {
    stamp(root);
    const file = path.join(root, "app/src/deep/b.ts");
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, "export const b = 3;\n");
    fs.utimesSync(file, mtime, mtime);
    expect(fresh(root)).toBe(false);
    stamp(root);
    expect(fresh(root)).toBe(true);
  });

  it("is stale after a file is added or deleted, or an optional input appears", () => {
    stamp(root);
    fs.writeFileSync(path.join(root, "app/src/new.ts"), "");
    expect(fresh(root)).toBe(false);
    stamp(root);
    fs.rmSync(path.join(root, "app/src/deep/b.ts"));
    expect(fresh(root)).toBe(false);
    stamp(root);
    fs.writeFileSync(path.join(root, "app/.env"), "VITE_BACKEND=local\n");
    expect(fresh(root)).toBe(false);
  });

  it("is stale when a build variable changes, not when an unrelated one does", () => {
    stamp(root, { VITE_BACKEND: "local", HOME: "/a" });
    expect(fresh(root, { VITE_BACKEND: "local", HOME: "/b" })).toBe(true);
    expect(fresh(root, { VITE_BACKEND: "firebase", HOME: "/a" })).toBe(false);
  });

  it("is stale when the output is gone or the stamp was cleared for a build that did not finish", () => {
    stamp(root);
    fs.rmSync(path.join(root, "app/dist/index.html"));
    expect(fresh(root)).toBe(false);
    fs.writeFileSync(path.join(root, "app/dist/index.html"), "built\n");
    expect(fresh(root)).toBe(true);
    clearStamp(root, target);
    expect(fresh(root)).toBe(false);
  });

  it("covers the web app, the local host and the core sources they bundle", () => {
    const byName = Object.fromEntries(TARGETS.map((t) => [t.name, t]));
    expect(Object.keys(byName)).toEqual(["web", "local"]);
    expect(byName.web!.inputs).toEqual(expect.arrayContaining(["web/src", "core/src", "web/index.html"]));
    expect(byName.local!.inputs).toEqual(expect.arrayContaining(["local/src", "core/src"]));
  });
});

describe("buildStale (npm start and the browser tests)", () => {
  let root: string;
  beforeEach(() => (root = project()));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A target whose build appends a line to builds.log and writes its output (or exits 1). */
  const counting = (exitCode = 0): BuildTarget => ({
    ...target,
    command: [
      process.execPath,
      ["-e", `require("fs").appendFileSync("builds.log", "x"); require("fs").writeFileSync("app/dist/index.html", "built"); process.exit(${exitCode})`],
    ],
  });
  const builds = (): number => (fs.existsSync(path.join(root, "builds.log")) ? fs.readFileSync(path.join(root, "builds.log"), "utf8").length : 0);
  const quiet = { log: () => {} };

  it("builds a target without a stamp, then skips it until a source's content changes", () => {
    expect(buildStale(root, [counting()], quiet)).toEqual(["app"]);
    expect(buildStale(root, [counting()], quiet)).toEqual([]);
    // A newer modification time alone (a checkout, a touch) is no change.
    const file = path.join(root, "app/src/main.ts");
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect(buildStale(root, [counting()], quiet)).toEqual([]);
    fs.writeFileSync(file, "export const a = 2;\n");
    expect(buildStale(root, [counting()], quiet)).toEqual(["app"]);
    expect(builds()).toBe(2);
    expect(buildStale(root, [counting()], { ...quiet, force: true })).toEqual(["app"]);
    expect(builds()).toBe(3);
  });

  it("throws on a failed build and leaves it stale", () => {
    expect(() => buildStale(root, [counting(1)], quiet)).toThrow(BuildFailed);
    expect(fresh(root)).toBe(false);
    expect(buildStale(root, [counting()], quiet)).toEqual(["app"]);
    expect(fresh(root)).toBe(true);
  });

  it("names the targets the browser tests build, in build order", () => {
    expect(targetsNamed(["local", "web"]).map((t) => t.name)).toEqual(["web", "local"]);
    expect(() => targetsNamed(["nope"])).toThrow(/unknown build target/);
  });
});

/**
 * `npm start` skips a build only when its stamp matches its inputs: an edited, added or deleted
 * source file, a changed build variable, or a missing output makes it build again.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { TARGETS, clearStamp, fingerprint, isFresh, writeStamp, type BuildTarget } from "../../scripts/build-stamp";

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

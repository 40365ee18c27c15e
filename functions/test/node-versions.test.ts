/**
 * One story about Node versions, checked so it stays one: development needs the root's
 * `engines.node` (a minimum), every workspace that declares `engines` says the same (npm warns on
 * install otherwise), the README states that minimum, and the deployed functions run on the Node
 * major that `firebase.json` names as `runtime` (the Firebase CLI reads it before `engines`), which
 * is also the target of the functions bundle and what the README says about the deploy.
 */
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");
const engines = (file: string): string | undefined => (JSON.parse(read(file)) as { engines?: { node?: string } }).engines?.node;

const rootRange = engines("package.json") ?? "";
const minimum = /^>=(\d+\.\d+)$/.exec(rootRange)?.[1];

describe("Node versions", () => {
  it("the root names a minimum Node version", () => {
    expect(minimum).toBeDefined();
  });

  it.each(["core", "local", "functions", "web"])("%s declares no other engines range than the root's", (ws) => {
    expect(engines(`${ws}/package.json`) ?? rootRange).toBe(rootRange);
  });

  it("the lockfile records the same engines as the package files", () => {
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { engines?: { node?: string } }> };
    for (const ws of ["", "core", "local", "functions", "web"]) {
      const file = ws === "" ? "package.json" : `${ws}/package.json`;
      expect(lock.packages[ws]?.engines?.node).toBe(engines(file));
    }
  });

  it("the README states the development minimum", () => {
    expect(read("README.md")).toContain(`Node ${minimum} or newer`);
  });

  it("the deploy runtime in firebase.json matches the bundle target and the README", () => {
    const firebase = JSON.parse(read("firebase.json")) as { functions: { source: string; runtime?: string }[] };
    const runtime = firebase.functions.find((f) => f.source === "functions")?.runtime ?? "";
    const major = /^nodejs(\d+)$/.exec(runtime)?.[1];
    expect(major).toBeDefined();
    expect(read("functions/scripts/build.js")).toContain(`target: "node${major}"`);
    expect(read("README.md")).toContain(`Node ${major} runtime`);
    // The deploy runtime must itself satisfy the development minimum.
    expect(Number(major)).toBeGreaterThanOrEqual(Number(minimum?.split(".")[0]));
  });
});

/**
 * Bundles the local host's entry points (src/main.ts, src/cli.ts) into dist/ with esbuild:
 * platform node, target node20, CommonJS, workspace code inlined (`@flowcraft/core` → core/src),
 * registry packages left external. `node bin/build.js` builds; the bin calls `buildIfStale`.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const localDir = path.resolve(__dirname, "..");
const root = path.resolve(localDir, "..");
const ENTRIES = ["main", "cli"];

function build() {
  const { buildSync } = require("esbuild");
  const dist = path.join(localDir, "dist");
  // Build into a private directory, then rename each file into place: a process starting the CLI
  // while another one builds never loads a half-written bundle.
  const tmp = path.join(dist, `.build-${process.pid}-${Date.now()}`);
  buildSync({
    entryPoints: ENTRIES.map((e) => path.join(localDir, "src", `${e}.ts`)),
    outdir: tmp,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    packages: "external",
    alias: { "@flowcraft/core": path.join(root, "core/src/index.ts") },
    logLevel: "warning",
  });
  for (const file of fs.readdirSync(tmp)) fs.renameSync(path.join(tmp, file), path.join(dist, file));
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** Newest modification time of the sources the bundle is made from. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(entry.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  walk(path.join(localDir, "src"));
  walk(path.join(root, "core/src"));
  return newest;
}

/** Builds when dist/<entry>.js is missing or older than any source file (sources present). */
function buildIfStale(entry) {
  const out = path.join(localDir, "dist", `${entry}.js`);
  const hasSources = fs.existsSync(path.join(localDir, "src", `${entry}.ts`));
  if (!hasSources) return out;
  const stale = !fs.existsSync(out) || fs.statSync(out).mtimeMs < newestSource();
  if (stale) build();
  return out;
}

module.exports = { build, buildIfStale };

if (require.main === module) build();

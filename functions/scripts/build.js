#!/usr/bin/env node
/**
 * Builds the deployable functions bundle: functions/src/index.ts → functions/lib/index.js, with the
 * workspace code (@flowcraft/core) inlined and every registry package left external, so that
 * `functions/` installs from its own package.json and loads on its own, as Cloud Build does.
 */
"use strict";
const path = require("node:path");
const { buildSync } = require("esbuild");

const functionsDir = path.resolve(__dirname, "..");
const root = path.resolve(functionsDir, "..");

function build({ outfile = path.join(functionsDir, "lib/index.js") } = {}) {
  const result = buildSync({
    entryPoints: [path.join(functionsDir, "src/index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    sourcemap: "linked",
    packages: "external",
    alias: { "@flowcraft/core": path.join(root, "core/src/index.ts") },
    logLevel: "warning",
    metafile: true,
  });
  return { outfile, metafile: result.metafile };
}

module.exports = { build };

if (require.main === module) {
  // `--outfile PATH` builds elsewhere (the bundle test builds into a temp dir).
  const at = process.argv.indexOf("--outfile");
  const { outfile } = build(at > 0 && process.argv[at + 1] ? { outfile: path.resolve(process.argv[at + 1]) } : {});
  process.stdout.write(`built ${path.relative(root, outfile)}\n`);
}

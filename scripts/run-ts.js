#!/usr/bin/env node
/**
 * Runs a TypeScript entry point: bundles it with esbuild (workspace code inlined, registry
 * packages left external) into node_modules/.cache/flowcraft and runs it with the remaining args.
 * Usage: node scripts/run-ts.js path/to/entry.ts [args...]
 */
"use strict";
const path = require("node:path");
const { buildSync } = require("esbuild");

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: run-ts.js ENTRY.ts [args...]\n");
  process.exit(2);
}
const root = path.resolve(__dirname, "..");
const outfile = path.join(root, "node_modules/.cache/flowcraft", entry.replace(/[\\/]/g, "_").replace(/\.tsx?$/, ".cjs"));
buildSync({
  entryPoints: [path.resolve(root, entry)],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "inline",
  packages: "external",
  alias: { "@flowcraft/core": path.join(root, "core/src/index.ts"), "@flowcraft/core/testing": path.join(root, "core/src/testing/index.ts") },
  logLevel: "warning",
});
process.argv = [process.argv[0], outfile, ...args];
require(outfile);

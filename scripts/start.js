#!/usr/bin/env node
/**
 * `npm start`: builds the web app and the local host only when their inputs changed since the
 * build in place (see build-stamp.js; a fresh clone builds both), then serves them. Arguments are
 * passed to `serve`, e.g. `npm start -- --port 9000`.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const { TARGETS, clearStamp, fingerprint, isFresh, writeStamp } = require("./build-stamp");

const root = path.resolve(__dirname, "..");
const started = Date.now();

for (const target of TARGETS) {
  const print = fingerprint(root, target);
  if (isFresh(root, target, print)) continue;
  process.stderr.write(`building ${target.name} (its sources changed since the last build)\n`);
  clearStamp(root, target);
  const [cmd, args] = target.command;
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  if (r.status !== 0) {
    process.stderr.write(`the ${target.name} build failed; fix the error above and run npm start again\n`);
    process.exit(r.status ?? 1);
  }
  writeStamp(root, target, print);
}
if (process.env.FLOWCRAFT_START_TIMING) process.stderr.write(`builds checked in ${Date.now() - started} ms\n`);

process.argv = [process.argv[0], path.join(root, "local/dist/main.js"), "serve", ...process.argv.slice(2)];
require(path.join(root, "local/dist/main.js"));

#!/usr/bin/env node
/**
 * `npm start`: builds the web app and the local host only when their inputs changed since the
 * build in place (see build-stamp.js; a fresh clone builds both), then serves them. Arguments are
 * passed to `serve`, e.g. `npm start -- --port 9000`.
 */
"use strict";
const path = require("node:path");
const { BuildFailed, buildStale } = require("./build-stamp");

const root = path.resolve(__dirname, "..");
const started = Date.now();

try {
  buildStale(root);
} catch (err) {
  if (!(err instanceof BuildFailed)) throw err;
  process.stderr.write(`the ${err.target} build failed; fix the error above and run npm start again\n`);
  process.exit(err.status);
}
if (process.env.FLOWCRAFT_START_TIMING) process.stderr.write(`builds checked in ${Date.now() - started} ms\n`);

process.argv = [process.argv[0], path.join(root, "local/dist/main.js"), "serve", ...process.argv.slice(2)];
require(path.join(root, "local/dist/main.js"));

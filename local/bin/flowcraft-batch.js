#!/usr/bin/env node
/** The `flowcraft-batch` command: builds dist/cli.js when missing or stale, then runs it. */
"use strict";
const { buildIfStale } = require("./build.js");

require(buildIfStale("cli"));

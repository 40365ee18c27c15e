/**
 * Build stamps for `npm start`: a build is fresh when its output directory holds a stamp whose
 * fingerprint equals the fingerprint of its inputs now. The fingerprint hashes the content (not the
 * modification time) of every input file with its path, plus the environment variables the build
 * reads, so an edit, a new or deleted file, a checkout or a changed VITE_* variable all make the
 * build stale, and a missing output or stamp (a fresh clone, a failed build) does too.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const STAMP = ".build-stamp.json";
const SKIP_DIRS = new Set(["node_modules", "dist", ".git"]);

/** Files under `root`/`input` (a file or a directory, walked without node_modules/dist), sorted. */
function listInputs(root, inputs) {
  const files = [];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    let stat;
    try {
      stat = fs.statSync(abs);
    } catch {
      return; // an optional input (e.g. web/.env) that is not there
    }
    if (!stat.isDirectory()) {
      files.push(rel);
      return;
    }
    for (const name of fs.readdirSync(abs)) if (!SKIP_DIRS.has(name)) walk(path.join(rel, name));
  };
  for (const input of inputs) walk(input);
  return [...new Set(files.map((f) => f.split(path.sep).join("/")))].sort();
}

/** Hash of the inputs' paths and contents and of the named environment variables' values. */
function fingerprint(root, target, env = process.env) {
  const hash = crypto.createHash("sha256");
  for (const rel of listInputs(root, target.inputs)) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(root, rel)));
    hash.update("\0");
  }
  const vars = Object.keys(env)
    .filter((k) => target.envPrefixes.some((p) => k.startsWith(p)))
    .sort();
  for (const k of vars) hash.update(`env:${k}=${env[k]}\0`);
  return hash.digest("hex");
}

const stampPath = (root, target) => path.join(root, target.outDir, STAMP);

/** True when the output exists and was built from exactly these inputs. */
function isFresh(root, target, print = fingerprint(root, target)) {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampPath(root, target), "utf8"));
    return stamp.fingerprint === print && target.outputs.every((o) => fs.existsSync(path.join(root, o)));
  } catch {
    return false;
  }
}

/** Forgets the stamp (before a build: an interrupted or failed build is never taken as fresh). */
function clearStamp(root, target) {
  fs.rmSync(stampPath(root, target), { force: true });
}

/** Records that the output was built from the inputs with this fingerprint (taken before the build). */
function writeStamp(root, target, print) {
  fs.mkdirSync(path.join(root, target.outDir), { recursive: true });
  fs.writeFileSync(stampPath(root, target), `${JSON.stringify({ fingerprint: print })}\n`);
}

/** What `npm start` builds, in order, and what each build is made from. */
const TARGETS = [
  {
    name: "web",
    command: ["npm", ["run", "build", "-w", "web"]],
    inputs: [
      "web/src",
      "web/index.html",
      "web/vite.config.ts",
      "web/tsconfig.json",
      "web/package.json",
      "web/.env",
      "web/.env.local",
      "web/.env.production",
      "web/.env.production.local",
      "core/src",
      "tsconfig.base.json",
      "package-lock.json",
    ],
    envPrefixes: ["VITE_"],
    outDir: "web/dist",
    outputs: ["web/dist/index.html"],
  },
  {
    name: "local",
    command: ["npm", ["run", "build", "-w", "local"]],
    inputs: ["local/src", "local/bin/build.js", "local/package.json", "core/src", "package-lock.json"],
    envPrefixes: [],
    outDir: "local/dist",
    outputs: ["local/dist/main.js", "local/dist/cli.js"],
  },
];

/**
 * Builds each target whose stamp does not match its inputs (all of them with `force`), in order,
 * and stamps it. The one staleness rule for `npm start` and the browser tests. A failed build
 * leaves no stamp and throws. Returns the names of the targets it built.
 */
function buildStale(root, targets = TARGETS, opts = {}) {
  const { spawnSync } = require("node:child_process");
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  const built = [];
  for (const target of targets) {
    const print = fingerprint(root, target);
    if (!opts.force && isFresh(root, target, print)) continue;
    log(`building ${target.name} (${fs.existsSync(stampPath(root, target)) ? "its sources changed since the last build" : "no build yet"})`);
    clearStamp(root, target);
    const [cmd, args] = target.command;
    const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
    if (r.status !== 0) throw new BuildFailed(target.name, r.status ?? 1);
    writeStamp(root, target, print);
    built.push(target.name);
  }
  return built;
}

class BuildFailed extends Error {
  constructor(name, status) {
    super(`the ${name} build failed (exit ${status})`);
    this.target = name;
    this.status = status;
  }
}

/** The targets named, in TARGETS order (e.g. ["local", "web"] for the browser tests). */
function targetsNamed(names) {
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) throw new Error(`unknown build target: ${unknown.join(", ")}`);
  return TARGETS.filter((t) => names.includes(t.name));
}

module.exports = { TARGETS, listInputs, fingerprint, isFresh, clearStamp, writeStamp, buildStale, targetsNamed, BuildFailed };

#!/usr/bin/env node
/**
 * Checks that documents and comments point only at files that exist (`npm run check:links`).
 *
 * - In every tracked Markdown file: each relative link `[text](path)` must resolve from the file's
 *   folder, and each path written in backticks (`core/src/batch/lanes.ts`, `local/test/`) must exist
 *   from the file's folder or from the repository root.
 * - In every tracked source file: each Markdown file named in a comment must exist in the file's
 *   folder, one of its parents, or the root (string literals are not read: tests may name made-up files).
 *
 * Paths with placeholders (`{uid}`, `<id>`, `*`, `…`) and paths of generated output are skipped, since
 * they name a shape rather than a file. Exits 1 and lists every broken reference.
 * Usage: `node scripts/check-links.js [repo-folder]`.
 */
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const ts = require("typescript");

/** The repository to check: the one this script is in, or the folder given as the first argument. */
const ROOT = path.resolve(process.argv[2] ?? path.join(__dirname, ".."));
/** Where a document's short paths (`batch/lanes.ts`, `emulators/rules.test.ts`) may start. */
const SOURCE_ROOTS = ["core/src", "core/test", "local/src", "local/test", "functions/src", "functions/test", "web/src", "web/test"];
/** Folders that only exist after a build or a run; a document may name them. */
const GENERATED = [/(^|\/)dist(\/|$)/, /^functions\/lib(\/|$)/, /(^|\/)node_modules(\/|$)/, /screenshots\/?$/, /(^|\/)\.data(\/|$)/, /^\.flowcraft/];
const PATH_EXT = /\.(ts|tsx|js|mjs|cjs|json|md|rules|ya?ml|sh|csv|html|css)$/;

function trackedFiles() {
  return execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "");
}

function exists(rel) {
  return fs.existsSync(path.join(ROOT, rel));
}

/** A backticked token that names a file or folder of this repository (not a route, command or glob). */
function looksLikePath(token) {
  if (/[\s{}<>*…:?=$|'"()[\],]/.test(token)) return false;
  if (token.startsWith("/") || token.startsWith("-") || token.startsWith("@")) return false;
  if (!token.includes("/")) return false;
  // `batch_jobs/` or `RESULTS.media/`: one folder name alone is a collection or an output shape.
  if (/^[^/]+\/$/.test(token)) return false;
  return PATH_EXT.test(token) || token.endsWith("/");
}

function resolvesFrom(dirs, ref) {
  const clean = ref.replace(/#.*$/, "").replace(/\/$/, "");
  if (clean === "") return true;
  if (GENERATED.some((re) => re.test(clean))) return true;
  return dirs.some((dir) => exists(path.posix.normalize(path.posix.join(dir, clean))));
}

function ancestors(dir) {
  const out = [];
  for (let d = dir; ; d = path.posix.dirname(d)) {
    out.push(d);
    if (d === "." || d === "/" || d === "") break;
  }
  if (!out.includes(".")) out.push(".");
  return out;
}

function checkMarkdown(file, text, problems) {
  const dir = path.posix.dirname(file);
  const withoutFences = text.replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, " "));
  const lines = withoutFences.split("\n");
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
      if (!resolvesFrom([dir], target)) problems.push(`${file}:${i + 1}: link to ${target} does not exist`);
    }
    for (const m of line.matchAll(/`([^`\n]+)`/g)) {
      const token = m[1].trim();
      if (!looksLikePath(token)) continue;
      if (!resolvesFrom([dir, ".", ...SOURCE_ROOTS], token)) problems.push(`${file}:${i + 1}: path ${token} does not exist`);
    }
  });
}

/** The comments of a TypeScript or JavaScript source, with the line each starts on. */
function comments(file, text) {
  const variant = /\.(tsx|jsx)$/.test(file) ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, variant, text);
  const out = [];
  let line = 1;
  let last = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia && kind !== ts.SyntaxKind.MultiLineCommentTrivia) continue;
    const start = scanner.getTokenStart();
    line += text.slice(last, start).split("\n").length - 1;
    last = start;
    out.push({ line, text: scanner.getTokenText() });
  }
  return out;
}

function checkSource(file, text, problems) {
  const dirs = ancestors(path.posix.dirname(file));
  for (const comment of comments(file, text)) {
    comment.text.split("\n").forEach((line, i) => {
      for (const m of line.matchAll(/(?<![\w./-])([\w./-]+\.md)\b/g)) {
        if (!resolvesFrom(dirs, m[1])) problems.push(`${file}:${comment.line + i}: names ${m[1]}, which does not exist`);
      }
    });
  }
}

function main() {
  const problems = [];
  let checked = 0;
  for (const file of trackedFiles()) {
    if (!exists(file)) continue;
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    if (file.endsWith(".md")) checkMarkdown(file, text, problems);
    else if (/\.(ts|tsx|js|mjs|cjs)$/.test(file)) checkSource(file, text, problems);
    else continue;
    checked += 1;
  }
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    console.error(`${problems.length} broken reference(s) in ${checked} files`);
    return 1;
  }
  console.log(`links: every reference in ${checked} files exists`);
  return 0;
}

process.exit(main());

/**
 * The import boundaries in eslint.base.mjs can fail: in a temp copy of the lint set-up, a file that
 * crosses a boundary makes ESLint report it, and the allowed imports next to it stay clean.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const RULE = "@typescript-eslint/no-restricted-imports";
/** ESLint with type information starts slowly on a busy machine; this bounds a hang, it times nothing. */
const LINT_TIMEOUT_MS = 300_000;

interface LintMessage {
  ruleId: string | null;
  message: string;
  line: number;
}

let dir: string;

/** Lints `files` (path → source) in a fresh copy of the root and web configs; boundary messages per file. */
function lint(files: Record<string, string>): Record<string, LintMessage[]> {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const out: Record<string, LintMessage[]> = {};
  const groups = [
    { cwd: dir, names: Object.keys(files).filter((f) => !f.startsWith("web/")) },
    {
      cwd: path.join(dir, "web"),
      names: Object.keys(files)
        .filter((f) => f.startsWith("web/"))
        .map((f) => f.slice("web/".length)),
    },
  ];
  for (const { cwd, names } of groups) {
    if (names.length === 0) continue;
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js"), "-f", "json", ...names], { cwd, encoding: "utf8" });
    const results = JSON.parse(r.stdout) as Array<{ filePath: string; messages: LintMessage[] }>;
    for (const result of results) {
      out[path.relative(dir, result.filePath)] = result.messages.filter((m) => m.ruleId === RULE || m.ruleId === null);
    }
  }
  return out;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lint-boundaries-"));
  for (const f of ["eslint.config.mjs", "eslint.base.mjs", "tsconfig.base.json", "web/eslint.config.mjs"]) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  // Small projects that hold only the probe files, so the type-aware rules stay quick.
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ extends: "./tsconfig.base.json", include: ["core/src", "local/src", "local/test", "functions/src"] }),
  );
  fs.writeFileSync(
    path.join(dir, "web", "tsconfig.json"),
    JSON.stringify({
      extends: "../tsconfig.base.json",
      compilerOptions: { lib: ["ES2023", "DOM"], paths: { "@core/*": ["../core/src/*"] } },
      include: ["src"],
    }),
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("import boundaries", () => {
  it(
    "refuse Firebase and host imports in core, host-to-host imports, and non-browser core modules in the web app",
    () => {
      const found = lint({
        "core/src/probe.ts":
          'import { getFirestore } from "firebase-admin/firestore";\nimport { serve } from "../../local/src/main";\nexport const probe = [getFirestore, serve];\n',
        "local/src/probe.ts": 'import { app } from "../../functions/src/index";\nexport const probe = app;\n',
        "functions/src/probe.ts": 'import { serve } from "@flowcraft/local";\nexport const probe = serve;\n',
        "web/src/probe.ts":
          'import { estimateJob } from "@core/batch/estimate";\nimport { x } from "@flowcraft/core";\nexport const probe = [estimateJob, x];\n',
      });
      const lines = (file: string) => (found[file] ?? []).filter((m) => m.ruleId === RULE).map((m) => m.line);
      expect(lines("core/src/probe.ts")).toEqual([1, 2]);
      expect(found["core/src/probe.ts"]![0]!.message).toContain("imports no Firebase package");
      expect(found["core/src/probe.ts"]![1]!.message).toContain("core imports no host");
      expect(lines("local/src/probe.ts")).toEqual([1]);
      expect(lines("functions/src/probe.ts")).toEqual([1]);
      expect(lines("web/src/probe.ts")).toEqual([1, 2]);
      expect(found["web/src/probe.ts"]![0]!.message).toContain("browser-safe");
    },
    LINT_TIMEOUT_MS,
  );

  it(
    "refuse the testing entry (fakes, conformance suites) in production code of core, the hosts and the web app",
    () => {
      const found = lint({
        "core/src/batch/probe.ts":
          'import { MemoryStore } from "../testing/memory-store";\nimport { ManualClock } from "@flowcraft/core/testing";\nexport const probe = [MemoryStore, ManualClock];\n',
        "local/src/probe.ts": 'import { MemoryStore } from "@flowcraft/core/testing";\nexport const probe = MemoryStore;\n',
        "functions/src/probe.ts": 'import { MemoryBlobStore } from "@flowcraft/core/testing";\nexport const probe = MemoryBlobStore;\n',
        "web/src/probe.ts": 'import { MemoryStore } from "@core/testing/memory-store";\nexport const probe = MemoryStore;\n',
      });
      const testing = (file: string) =>
        (found[file] ?? []).filter((m) => m.ruleId === RULE && m.message.includes("@flowcraft/core/testing")).map((m) => m.line);
      expect(testing("core/src/batch/probe.ts")).toEqual([1, 2]);
      expect(testing("local/src/probe.ts")).toEqual([1]);
      expect(testing("functions/src/probe.ts")).toEqual([1]);
      expect(testing("web/src/probe.ts")).toEqual([1]);
    },
    LINT_TIMEOUT_MS,
  );

  it(
    "refuse the app shell (web/src/app) in the web app's feature folders, and let the shell import them",
    () => {
      const found = lint({
        "web/src/app/shell.ts": "export const shell = 1;\n",
        "web/src/app/root.ts": 'import { shell } from "./shell";\nimport { feature } from "../jobs/feature";\nexport const root = [shell, feature];\n',
        "web/src/jobs/feature.ts": 'import { shell } from "../app/shell";\nexport const feature = shell;\n',
        "web/src/jobs/deeper/feature.ts":
          'import { shell } from "../../app/shell";\nimport { feature } from "../feature";\nexport const deeper = [shell, feature];\n',
      });
      const shell = (file: string) => (found[file] ?? []).filter((m) => m.ruleId === RULE && m.message.includes("app shell")).map((m) => m.line);
      expect(shell("web/src/jobs/feature.ts")).toEqual([1]);
      expect(shell("web/src/jobs/deeper/feature.ts")).toEqual([1]);
      expect(found["web/src/app/root.ts"]).toEqual([]);
    },
    LINT_TIMEOUT_MS,
  );

  it(
    "let through what the layering allows",
    () => {
      const found = lint({
        "core/src/ok.ts": 'import { z } from "zod";\nexport const ok = z;\n',
        "local/src/ok.ts": 'import { z } from "zod";\nexport const ok = z;\n',
        "local/test/ok.test.ts": 'import { MemoryStore } from "@flowcraft/core/testing";\nexport const ok = MemoryStore;\n',
        "core/src/sim/ok.ts": 'import { ManualClock } from "../testing/manual-clock";\nexport const ok = ManualClock;\n',
        "web/src/ok.ts":
          'import { parseFlow } from "@core/flow/parse";\nimport type { EstimateReport } from "@core/batch/estimate";\nexport const ok: [unknown, EstimateReport | null] = [parseFlow, null];\n',
      });
      for (const file of ["core/src/ok.ts", "local/src/ok.ts", "local/test/ok.test.ts", "core/src/sim/ok.ts", "web/src/ok.ts"]) expect(found[file]).toEqual([]);
    },
    LINT_TIMEOUT_MS,
  );
});

/**
 * `npm run check:links` (scripts/check-links.js) on a throw-away repository: it must fail on each
 * kind of broken reference it claims to find, and pass once the files exist.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const SCRIPT = path.join(__dirname, "..", "..", "scripts", "check-links.js");

function repoWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "links-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  execFileSync("git", ["init", "-q"], { cwd: dir });
  execFileSync("git", ["add", "-A"], { cwd: dir });
  return dir;
}

function check(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("check-links", () => {
  it("fails on a Markdown link, a backticked path and a comment naming a document that do not exist", () => {
    const dir = repoWith({
      "README.md": "See [the guide](docs/guide.md) and `core/src/gone.ts`.\n",
      "core/src/a.ts": "// the rules are in interfaces.md\nexport const a = 1;\n",
    });
    const { code, out } = check(dir);
    expect(code).toBe(1);
    expect(out).toContain("README.md:1: link to docs/guide.md does not exist");
    expect(out).toContain("README.md:1: path core/src/gone.ts does not exist");
    expect(out).toContain("core/src/a.ts:1: names interfaces.md, which does not exist");
  });

  it("passes when every reference exists, and skips URLs, anchors, routes, placeholders, code blocks and string literals", () => {
    const dir = repoWith({
      "README.md": [
        "See [the guide](docs/guide.md#setup), [site](https://example.com), [top](#top), `core/src/a.ts`,",
        "the route `/api/batches/:id`, the shape `uploads/{uid}/file.csv`, and `batch/a.ts` from core/src.",
        "```",
        "see `nowhere/at/all.ts`",
        "```",
      ].join("\n"),
      "docs/guide.md": "# Guide\n",
      "core/src/a.ts": "// see docs/guide.md\nexport const a = 1;\n",
      "core/src/batch/a.ts": "export const b = 1;\n",
      "core/src/b.ts": 'export const text = "a test may name made-up.md in a string";\n',
    });
    const { code, out } = check(dir);
    expect(out).toContain("every reference in");
    expect(code).toBe(0);
  });
});

/**
 * No secret reaches the browser bundle: the app is built with Vite (as `npm run build -w web`
 * does, without the typecheck) while the build machine's environment holds a Gemini key under
 * both a plain and a VITE_-prefixed name, and no output file (scripts, source maps, HTML) may
 * contain either value. Vite only inlines VITE_* variables the code names, so the prefixed one is
 * the real trap: it leaked while the app passed `import.meta.env` around as a whole object.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const webDir = path.resolve(__dirname, "..");
const viteBin = path.resolve(webDir, "../node_modules/vite/bin/vite.js");
const CANARY = "AIzaCanaryKeyThatMustNeverShip0123456789";

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("web bundle secrets", () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "flowcraft-web-bundle-"));
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it("ships no key from the build environment", () => {
    execFileSync(process.execPath, [viteBin, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "error"], {
      cwd: webDir,
      env: {
        ...process.env,
        GEMINI_API_KEY: CANARY,
        VITE_GEMINI_API_KEY: CANARY,
        VITE_BACKEND: "firebase",
        VITE_RECAPTCHA_ENTERPRISE_SITE_KEY: "site-key-e2e",
      },
      stdio: "pipe",
      timeout: 120_000,
    });
    const outputs = files(outDir);
    const scripts = outputs.filter((f) => f.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    // The named variable the app does read was inlined, so the build saw this environment.
    expect(scripts.some((f) => /VITE_BACKEND:\s*[`"']firebase[`"']/.test(fs.readFileSync(f, "utf8")))).toBe(true);
    // The App Check site key is public and read by name, so it is inlined.
    expect(scripts.some((f) => fs.readFileSync(f, "utf8").includes("site-key-e2e"))).toBe(true);
    expect(outputs.filter((f) => fs.readFileSync(f, "utf8").includes(CANARY))).toEqual([]);
  }, 150_000);
});

/**
 * What the browser bundle may contain: the app's sources, the pure core modules it imports, and
 * browser packages. Server-only packages (the Gemini SDK, SQLite, firebase-admin, Node built-ins)
 * would drag server code, and with it the temptation of a server key, into a public bundle. The
 * import graph of both entry points (the app and the CSV worker) is resolved with esbuild.
 */
import path from "node:path";
import { buildSync } from "esbuild";

const root = path.resolve(__dirname, "../..");
// fflate: the Firebase app zips an export in the browser (web/src/backend/firebase-export.ts).
const BROWSER_PACKAGES = ["react", "react-dom", "@xyflow/react", "@tanstack/react-virtual", "firebase", "zod", "fflate"];
const ENTRIES = ["web/src/main.tsx", "web/src/new-batch/csv-worker.ts"];

function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

function importGraph(): { inputs: string[]; packages: Set<string> } {
  const result = buildSync({
    entryPoints: ENTRIES.map((e) => path.join(root, e)),
    bundle: true,
    write: false,
    outdir: path.join(root, "node_modules/.cache/web-boundary"),
    platform: "browser",
    format: "esm",
    packages: "external",
    metafile: true,
    logLevel: "silent",
    loader: { ".css": "empty" },
    alias: { "@core": path.join(root, "core/src") },
  });
  const packages = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) if (imp.external) packages.add(packageOf(imp.path));
  }
  return { inputs: Object.keys(result.metafile.inputs), packages };
}

describe("web bundle boundary", () => {
  const graph = importGraph();

  it("imports only browser packages", () => {
    expect(graph.packages.size).toBeGreaterThan(0);
    expect([...graph.packages].filter((p) => !BROWSER_PACKAGES.includes(p))).toEqual([]);
  });

  it("bundles only web sources and core modules free of AI adapters and hosts", () => {
    const outside = graph.inputs.filter((f) => !f.startsWith("web/src/") && !f.startsWith("core/src/"));
    expect(outside).toEqual([]);
    expect(graph.inputs.filter((f) => /^core\/src\/(ai\/(gemini|create-ai-service)|batch\/handlers)/.test(f))).toEqual([]);
    expect(graph.inputs).toContain("web/src/main.tsx");
  });
});

/**
 * Loads the example flows shipped in the repo's `examples/` directory: one folder per example with
 * `meta.json` ({id?, name, description}), `flow.json` and `rows.csv`. Folders missing a file are
 * skipped; the list is read on each request (a few small files).
 */
import fs from "node:fs/promises";
import path from "node:path";

export interface Example {
  id: string;
  name: string;
  description: string;
  flow: unknown;
  csv: string;
}

async function loadOne(dir: string, id: string): Promise<Example | null> {
  try {
    const [meta, flow, csv] = await Promise.all([
      fs.readFile(path.join(dir, "meta.json"), "utf8"),
      fs.readFile(path.join(dir, "flow.json"), "utf8"),
      fs.readFile(path.join(dir, "rows.csv"), "utf8"),
    ]);
    const m = JSON.parse(meta) as { id?: string; name?: string; description?: string };
    return { id: m.id ?? id, name: m.name ?? id, description: m.description ?? "", flow: JSON.parse(flow) as unknown, csv };
  } catch {
    return null;
  }
}

export async function loadExamples(examplesDir: string): Promise<Example[]> {
  let entries: string[];
  try {
    entries = (await fs.readdir(examplesDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  const loaded = await Promise.all(entries.sort().map((id) => loadOne(path.join(examplesDir, id), id)));
  return loaded.filter((e): e is Example => e !== null);
}

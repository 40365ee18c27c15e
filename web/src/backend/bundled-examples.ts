/**
 * The shipped examples (repo `examples/`), bundled into the app for the Firebase backend, which has
 * no examples endpoint. Layout: `examples/<id>/flow.json` with an optional `input.csv`/`*.csv` and
 * `README.md`/`meta.json` beside it, or a flat `examples/<id>.json` with `<id>.csv`.
 */
import type { FlowExample } from "./types";

const jsonFiles = import.meta.glob<unknown>("../../../examples/**/*.json", { eager: true, import: "default" });
const csvFiles = import.meta.glob<string>("../../../examples/**/*.csv", { eager: true, query: "?raw", import: "default" });

interface Meta {
  name?: string;
  description?: string;
}

function exampleId(path: string): string {
  const rel = path.replace(/^.*\/examples\//, "");
  const parts = rel.split("/");
  return parts.length > 1 ? (parts[0] ?? rel) : rel.replace(/\.json$/, "");
}

export function bundledExamples(): FlowExample[] {
  const byId = new Map<string, FlowExample>();
  for (const [path, value] of Object.entries(jsonFiles)) {
    if (path.endsWith("meta.json")) continue;
    const flow = (value as { flow?: unknown }).flow ?? value;
    const meta = value as Meta;
    const id = exampleId(path);
    const csvEntry = Object.entries(csvFiles).find(([p]) => exampleId(p.replace(/\.csv$/, ".json")) === id);
    const metaEntry = Object.entries(jsonFiles).find(([p]) => p.endsWith("meta.json") && exampleId(p) === id);
    const extra = (metaEntry?.[1] ?? {}) as Meta;
    byId.set(id, {
      id,
      name: extra.name ?? meta.name ?? id,
      description: extra.description ?? meta.description ?? "",
      flow,
      csv: csvEntry?.[1] ?? "",
    });
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

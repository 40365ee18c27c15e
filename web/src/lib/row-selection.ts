/** Selecting rows of the results table for a re-run. */

/**
 * The selection after clicking row `index`: it flips; with `range`, every row shown between the
 * previous click (`anchor`) and `index` takes the state `index` takes.
 */
export function toggleSelection(selected: ReadonlySet<number>, shown: readonly number[], index: number, anchor: number | null, range: boolean): Set<number> {
  const next = new Set(selected);
  const on = !selected.has(index);
  const from = range && anchor !== null ? shown.indexOf(anchor) : -1;
  const to = shown.indexOf(index);
  const span = from >= 0 && to >= 0 ? shown.slice(Math.min(from, to), Math.max(from, to) + 1) : [index];
  for (const row of span)
    if (on) next.add(row);
    else next.delete(row);
  return next;
}

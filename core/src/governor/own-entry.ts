/**
 * A table's own entry for a key, never an inherited one: model ids are free text, and a model
 * named `constructor` or `__proto__` must not find Object.prototype's members in a plain table.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

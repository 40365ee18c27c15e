/**
 * Lets a conformance suite skip single cases by title with a reason, e.g. for a test server that
 * lacks a feature the real service has: `skipCases: { "filters: dotted field": "no nested paths" }`.
 * The reason shows up in the skipped test's name. Titles are matched exactly.
 */
let current: Readonly<Record<string, string>> = {};

/** Defines the suite body with `skipCases` in effect (definition is synchronous in jest). */
export function withSkippedCases(skipCases: Readonly<Record<string, string>> | undefined, define: () => void): void {
  const previous = current;
  current = { ...previous, ...skipCases };
  try {
    define();
  } finally {
    current = previous;
  }
}

/** `it(title, fn)`, or a skipped test naming the reason when the title is listed. */
export function conformanceCase(title: string, fn: () => Promise<void>): void {
  const reason = current[title];
  if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, () => {});
  else it(title, fn);
}

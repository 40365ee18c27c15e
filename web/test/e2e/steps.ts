/** A tiny sequential step runner: prints each step, stops at the first failure, prints a summary. */

export interface StepRunner {
  step(name: string, fn: () => Promise<void>): Promise<void>;
  summary(): { passed: number; failed: number; skipped: number };
}

export function createRunner(plannedSteps: number): StepRunner {
  let passed = 0;
  let failed = 0;
  let stopped = false;
  return {
    async step(name, fn) {
      if (stopped) return;
      const started = Date.now();
      try {
        await fn();
        passed++;
        console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
      } catch (err) {
        failed++;
        stopped = true;
        console.error(`  ✗ ${name}\n    ${err instanceof Error ? (err.stack ?? err.message).split("\n").slice(0, 6).join("\n    ") : String(err)}`);
      }
    },
    summary: () => ({ passed, failed, skipped: Math.max(plannedSteps - passed - failed, 0) }),
  };
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

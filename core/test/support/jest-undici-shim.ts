/**
 * Test-environment shim, not product code. @google/genai 2.32 sends every Node request through a
 * dispatcher that looks up undici's global dispatcher on `globalThis[Symbol.for(
 * "undici.globalDispatcher.1")]`. Under jest that `globalThis` is the test sandbox, where Node
 * never stores it, so every SDK call fails with "fetch failed" (cause: "Undici globalDispatcher is
 * not available."). Outside jest the SDK works as is. This copies the real process-wide
 * dispatcher into the sandbox so tests exercise the SDK's unmodified request path.
 */
import { runInThisContext } from "node:vm";

const SYMBOL = Symbol.for("undici.globalDispatcher.1");

export function shareUndiciDispatcherWithJest(): void {
  const sandbox = globalThis as unknown as Record<symbol, unknown>;
  if (sandbox[SYMBOL] !== undefined) return;
  const real = runInThisContext("globalThis") as Record<symbol, unknown> & { Headers: new () => unknown };
  if (real[SYMBOL] === undefined) new real.Headers(); // Node loads undici (and its dispatcher) lazily
  sandbox[SYMBOL] = real[SYMBOL];
}

shareUndiciDispatcherWithJest();

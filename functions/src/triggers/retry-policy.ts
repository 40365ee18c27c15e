/**
 * Error policy of the retried event triggers (`retry: true`): a permanent core error will fail the
 * same way on every redelivery, so it is logged and the event acknowledged; anything else is
 * rethrown so the platform delivers the event again (the handlers are idempotent).
 */
import { FlowcraftError, type Logger } from "@flowcraft/core";
import { describe } from "../http/error-table";

export async function acknowledgePermanent(logger: Logger, context: Record<string, unknown>, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof FlowcraftError && !err.retryable) {
      logger.error({ ...context, code: err.code, error: describe(err) }, "event dropped after a permanent error");
      return;
    }
    throw err;
  }
}

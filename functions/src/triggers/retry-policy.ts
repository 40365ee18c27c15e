/**
 * Error policy of the retried event triggers (`retry: true`): a permanent error will fail the same
 * way on every redelivery, so it is logged once and the event acknowledged; anything else is
 * rethrown so the platform delivers the event again (the handlers are idempotent). Permanent: a
 * core error that says so, and a stored document that does not match its schema (a ZodError from
 * parsing it: the same bytes fail the same way on every delivery).
 */
import { ZodError } from "zod";
import { FlowcraftError, type Logger } from "@flowcraft/core";
import { describe } from "../http/error-table";

export function isPermanent(err: unknown): boolean {
  if (err instanceof FlowcraftError) return !err.retryable;
  return err instanceof ZodError;
}

export async function acknowledgePermanent(logger: Logger, context: Record<string, unknown>, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (isPermanent(err)) {
      const code = err instanceof FlowcraftError ? err.code : "malformed_document";
      logger.error({ ...context, code, error: describe(err) }, "event dropped after a permanent error");
      return;
    }
    throw err;
  }
}

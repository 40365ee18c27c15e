/**
 * Every callable is built here: App Check enforced outside the emulator (config/app-check.ts), auth
 * required (→ unauthenticated), for admin callables the custom claim `admin: true` (→
 * permission-denied, before the input is even parsed), input parsed with zod (→ invalid-argument with details), and only
 * then the dependencies built and the handler called with the caller's uid. Every error is mapped
 * through the one table in error-table.ts.
 */
import { HttpsError, onCall, type CallableFunction, type CallableOptions, type CallableRequest } from "firebase-functions/v2/https";
import type { SecretParam } from "firebase-functions/params";
import type { z } from "zod";
import type { Logger } from "@flowcraft/core";
import { appCheckEnforced } from "../config/app-check";
import { getDeps, type FunctionsDeps } from "../runtime/deps";
import { functionsLoggerAdapter } from "../runtime/functions-logger";
import { toHttpsError } from "./error-table";
import { parseInput } from "./parse-input";

export interface CallableSpec<S extends z.ZodType, R> {
  name: string;
  input: S;
  timeoutSeconds: number;
  memory?: "256MiB" | "512MiB" | "1GiB" | "2GiB";
  /** Secrets bound to the function; binding GEMINI_API_KEY also gives the handler a live AI service. */
  secrets?: readonly SecretParam[];
  withAi?: boolean;
  /** Only callers whose ID token carries the custom claim `admin: true`. */
  adminOnly?: boolean;
  run: (input: z.output<S>, ctx: { uid: string; deps: FunctionsDeps }) => Promise<R>;
}

export function defineCallable<S extends z.ZodType, R>(spec: CallableSpec<S, R>): CallableFunction<unknown, Promise<R>> {
  const opts: CallableOptions = {
    timeoutSeconds: spec.timeoutSeconds,
    memory: spec.memory ?? "512MiB",
    secrets: [...(spec.secrets ?? [])],
    enforceAppCheck: appCheckEnforced(),
  };
  return onCall(opts, async (req: CallableRequest<unknown>) => {
    const uid = req.auth?.uid;
    let logger: Logger = functionsLoggerAdapter;
    try {
      // Cheap refusals first: an anonymous or malformed request builds no dependency at all.
      if (!uid) throw new HttpsError("unauthenticated", "Sign in to use FlowCraft Batch", unauthenticatedInfo);
      if (spec.adminOnly && req.auth?.token?.admin !== true) throw new HttpsError("permission-denied", adminOnlyInfo.message, adminOnlyInfo);
      const input = parseInput(spec.input, req.data);
      const deps = getDeps({ withAi: spec.withAi ?? false });
      logger = deps.logger;
      return await spec.run(input, { uid, deps });
    } catch (err) {
      throw toHttpsError(err, logger, { fn: spec.name, uid: uid ?? null });
    }
  });
}

const adminOnlyInfo = { code: "permission_denied", message: "Only an administrator (custom claim admin: true) may use this", retryable: false };
const unauthenticatedInfo = { code: "permission_denied", message: "Sign in to use FlowCraft Batch", retryable: false };

/**
 * Resolves a 2nd gen function's Cloud Run URL (the task target and OIDC audience) through the Cloud
 * Functions v2 API with the runtime's own credentials (needs `cloudfunctions.functions.get`, e.g.
 * roles/cloudfunctions.viewer). Resolved once per instance. A lookup is bounded by `timeoutMs` (it
 * sits in front of every enqueue, and a hung API must not hold a row's commit); when it fails or
 * times out, the caller falls back to the SDK's default `https://<region>-<project>.cloudfunctions.net/<name>`
 * URL and no lookup is tried again for `retryAfterFailureMs`, so an outage of that API costs one
 * slow enqueue a minute, not one on every enqueue.
 */
import type { Credential } from "firebase-admin/app";
import type { Logger } from "@flowcraft/core";

export interface FunctionUriOptions {
  credential: Credential;
  projectId: string;
  region: string;
  functionName: string;
  logger: Logger;
  fetchImpl?: typeof fetch;
  /** Bound on one lookup, token included (default 5 s). */
  timeoutMs?: number;
  /** After a failed lookup, use the default URL this long before asking again (default 60 s). */
  retryAfterFailureMs?: number;
  now?: () => number;
}

export function cachedFunctionUri(opts: FunctionUriOptions): () => Promise<string | undefined> {
  const now = opts.now ?? Date.now;
  let pending: Promise<string | undefined> | null = null;
  let failedUntil = 0;
  return () => {
    if (pending === null && now() < failedUntil) return Promise.resolve(undefined);
    pending ??= withTimeout(lookup(opts), opts.timeoutMs ?? 5_000).catch((err: unknown) => {
      opts.logger.warn({ functionName: opts.functionName, error: String(err) }, "function URL lookup failed; using the default URL");
      pending = null;
      failedUntil = now() + (opts.retryAfterFailureMs ?? 60_000);
      return undefined;
    });
    return pending;
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

async function lookup(opts: FunctionUriOptions): Promise<string | undefined> {
  const token = await opts.credential.getAccessToken();
  const url = `https://cloudfunctions.googleapis.com/v2/projects/${opts.projectId}/locations/${opts.region}/functions/${opts.functionName}`;
  const res = await (opts.fetchImpl ?? fetch)(url, {
    headers: { Authorization: `Bearer ${token.access_token}` },
    signal: AbortSignal.timeout(opts.timeoutMs ?? 5_000),
  });
  if (!res.ok) throw new Error(`Cloud Functions API answered ${res.status}`);
  const body = (await res.json()) as { serviceConfig?: { uri?: string } };
  return body.serviceConfig?.uri;
}

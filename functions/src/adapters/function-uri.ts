/**
 * Resolves a 2nd gen function's Cloud Run URL (the task target and OIDC audience) through the Cloud
 * Functions v2 API with the runtime's own credentials (needs `cloudfunctions.functions.get`, e.g.
 * roles/cloudfunctions.viewer). Resolved once per instance; when it fails the caller falls back to
 * the SDK's default `https://<region>-<project>.cloudfunctions.net/<name>` URL.
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
}

export function cachedFunctionUri(opts: FunctionUriOptions): () => Promise<string | undefined> {
  let pending: Promise<string | undefined> | null = null;
  return () => {
    pending ??= lookup(opts).catch((err: unknown) => {
      opts.logger.warn({ functionName: opts.functionName, error: String(err) }, "function URL lookup failed; using the default URL");
      pending = null; // try again on the next enqueue
      return undefined;
    });
    return pending;
  };
}

async function lookup(opts: FunctionUriOptions): Promise<string | undefined> {
  const token = await opts.credential.getAccessToken();
  const url = `https://cloudfunctions.googleapis.com/v2/projects/${opts.projectId}/locations/${opts.region}/functions/${opts.functionName}`;
  const res = await (opts.fetchImpl ?? fetch)(url, { headers: { Authorization: `Bearer ${token.access_token}` } });
  if (!res.ok) throw new Error(`Cloud Functions API answered ${res.status}`);
  const body = (await res.json()) as { serviceConfig?: { uri?: string } };
  return body.serviceConfig?.uri;
}

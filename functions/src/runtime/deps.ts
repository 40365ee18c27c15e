/**
 * The dependency seam of every exported function. Production builds the Firebase adapters lazily
 * on first use (in the function instance, never at import or deploy-discovery time, and callables
 * only after auth and input checks passed); tests install
 * their own factory (in-memory store, recording queue, fake AI) with `setDepsFactory`.
 */
import type { AiService, BatchHandlers, Clock, DocumentStore, Governor, Logger, UserQuota } from "@flowcraft/core";
import type { UploadReader } from "../adapters/storage-uploads";

/** Short-lived signed read URLs for stored media (Cloud Storage); see callables/export-callables.ts. */
export interface MediaSigner {
  signedReadUrl(ref: string, expires: Date): Promise<string>;
}

export interface FunctionsDeps {
  handlers: BatchHandlers;
  /** The AI service for single generations and previews (the handlers hold their own reference). */
  ai: AiService;
  /** The store the handlers use: read when a trigger event arrives without its document. */
  store: DocumentStore;
  logger: Logger;
  clock: Clock;
  /** Per-user AI calls a minute and rows a day, checked by the callables before the work. */
  quota: UserQuota;
  /** The AI-call governor the handlers' engine uses (production: this instance's StoreGovernor). */
  governor?: Governor;
  /** Signs media links on request (absent: the signMediaLinks callable answers failed-precondition). */
  mediaSigner?: MediaSigner;
  /** CSV uploads in Cloud Storage, read by `createBatch {uploadPath}` (absent: that form is refused). */
  uploads?: UploadReader;
}

export interface DepsRequest {
  /** True in functions bound to the Gemini secret; others get an AI service that refuses calls. */
  withAi: boolean;
}

export type DepsFactory = (req: DepsRequest) => FunctionsDeps;

let factory: DepsFactory | null = null;
const cache = new Map<boolean, FunctionsDeps>();

export function getDeps(req: DepsRequest): FunctionsDeps {
  const hit = cache.get(req.withAi);
  if (hit) return hit;
  if (!factory) throw new Error("functions dependencies are not configured");
  const deps = factory(req);
  cache.set(req.withAi, deps);
  return deps;
}

/** Installs the factory used from now on (and drops cached deps). Production calls this once in index.ts. */
export function setDepsFactory(next: DepsFactory | null): void {
  factory = next;
  cache.clear();
}

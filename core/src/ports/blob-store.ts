/**
 * Blob store port for media (images, videos): Cloud Storage in Firebase, a directory locally.
 * `put` is idempotent for the same key (a retried row overwrites its own media). Keys look like
 * `batch_jobs/{jobId}/media/{rowId}/{nodeId}.{ext}`; the returned `ref` is what documents hold.
 * Adapters pass `conformance/blob-store-conformance.ts`.
 */
export interface BlobStore {
  put(key: string, data: Uint8Array, mimeType: string): Promise<{ ref: string; bytes: number }>;
  get(ref: string): Promise<{ data: Uint8Array; mimeType: string } | null>;
  delete(ref: string): Promise<void>;
  /**
   * Deletes every blob whose key starts with `prefix` followed by `/` (`batch_jobs/j1` removes
   * `batch_jobs/j1/media/...` and spares `batch_jobs/j10/...`). Idempotent; the prefix follows the key rules.
   */
  deletePrefix(prefix: string): Promise<void>;
}

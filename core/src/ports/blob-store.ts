/**
 * Blob store port for media (images, videos): Cloud Storage in Firebase, a directory locally.
 * `put` is idempotent for the same key (a retried row overwrites its own media). Keys look like
 * `batch_jobs/{jobId}/media/{rowId}/{nodeId}.{ext}`; the returned `ref` is what documents hold.
 */
export interface BlobStore {
  put(key: string, data: Uint8Array, mimeType: string): Promise<{ ref: string; bytes: number }>;
  get(ref: string): Promise<{ data: Uint8Array; mimeType: string } | null>;
  delete(ref: string): Promise<void>;
}

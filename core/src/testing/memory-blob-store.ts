/**
 * In-memory BlobStore: bytes copied in and out (no aliasing), refs `mem:<key>`. Keys are
 * `/`-separated segments without `.`/`..` or empty parts, like the disk and Cloud Storage stores.
 */
import type { BlobStore } from "../ports/blob-store";

const PREFIX = "mem:";
const MAX_KEY_LENGTH = 1024;

function checkKey(key: string): void {
  const segments = key.split("/");
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new Error(`invalid blob key "${key}"`);
  }
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, { data: Uint8Array; mimeType: string }>();
  /** Puts so far (overwrites included), for tests counting media writes. */
  puts = 0;

  async put(key: string, data: Uint8Array, mimeType: string): Promise<{ ref: string; bytes: number }> {
    checkKey(key);
    this.blobs.set(key, { data: new Uint8Array(data), mimeType });
    this.puts++;
    return { ref: PREFIX + key, bytes: data.byteLength };
  }

  async get(ref: string): Promise<{ data: Uint8Array; mimeType: string } | null> {
    const blob = ref.startsWith(PREFIX) ? this.blobs.get(ref.slice(PREFIX.length)) : undefined;
    return blob ? { data: new Uint8Array(blob.data), mimeType: blob.mimeType } : null;
  }

  async delete(ref: string): Promise<void> {
    if (ref.startsWith(PREFIX)) this.blobs.delete(ref.slice(PREFIX.length));
  }

  async deletePrefix(prefix: string): Promise<void> {
    checkKey(prefix);
    for (const key of [...this.blobs.keys()]) if (key.startsWith(`${prefix}/`)) this.blobs.delete(key);
  }

  /** Keys stored, sorted. */
  keys(): string[] {
    return [...this.blobs.keys()].sort();
  }

  /** Total bytes held. */
  get totalBytes(): number {
    let n = 0;
    for (const b of this.blobs.values()) n += b.data.byteLength;
    return n;
  }
}

/**
 * The BlobStore port over Cloud Storage (firebase-admin). Refs are `gs://<bucket>/<key>`, which the
 * web app turns into download URLs; storage.rules let a job's owner read its media.
 */
import type { Storage } from "firebase-admin/storage";
import { ValidationError, type BlobStore } from "@flowcraft/core";

type Bucket = ReturnType<Storage["bucket"]>;

/** Same key rules as every BlobStore: `/`-separated, no empty, `.` or `..` segments, ≤ 1024 chars. */
function checkKey(key: string): void {
  const segments = key.split("/");
  if (key.length === 0 || key.length > 1024 || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new ValidationError("invalid media key", [{ path: "key", message: `"${key}" is not a valid media key` }]);
  }
}

export class StorageBlobStore implements BlobStore {
  constructor(private readonly bucket: Bucket) {}

  async put(key: string, data: Uint8Array, mimeType: string): Promise<{ ref: string; bytes: number }> {
    checkKey(key);
    await this.bucket.file(key).save(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
      contentType: mimeType,
      resumable: false,
      metadata: { cacheControl: "private, max-age=3600" },
    });
    return { ref: `gs://${this.bucket.name}/${key}`, bytes: data.byteLength };
  }

  async get(ref: string): Promise<{ data: Uint8Array; mimeType: string } | null> {
    const file = this.bucket.file(this.keyOf(ref));
    try {
      const [[bytes], [meta]] = await Promise.all([file.download(), file.getMetadata()]);
      return { data: new Uint8Array(bytes), mimeType: meta.contentType ?? "application/octet-stream" };
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return null;
      throw err;
    }
  }

  /**
   * A V4 signed read URL for one media file, valid until `expires` (at most 7 days, the V4 limit).
   * Anyone holding it can read the file until then: hand it out only after an owner check.
   */
  async signedReadUrl(ref: string, expires: Date): Promise<string> {
    const [url] = await this.bucket.file(this.keyOf(ref)).getSignedUrl({ version: "v4", action: "read", expires });
    return url;
  }

  async delete(ref: string): Promise<void> {
    await this.bucket.file(this.keyOf(ref)).delete({ ignoreNotFound: true });
  }

  /** Lists and deletes page by page (the library's deleteFiles); `force` carries on past one failure and reports them all. */
  async deletePrefix(prefix: string): Promise<void> {
    checkKey(prefix);
    await this.bucket.deleteFiles({ prefix: `${prefix}/`, force: true });
  }

  private keyOf(ref: string): string {
    const prefix = `gs://${this.bucket.name}/`;
    if (!ref.startsWith(prefix)) {
      throw new ValidationError("not a media reference of this bucket", [{ path: "ref", message: `must start with ${prefix}` }]);
    }
    return ref.slice(prefix.length);
  }
}

/**
 * BlobStore on disk under `<dataDir>/media`: bytes in `data/<key>`, the content type beside them in
 * `meta/<key>.json`. Refs are `local:<key>`. Writes go to a temp file then rename, so a reader never
 * sees half a file and a retried row simply replaces its own media. Keys and refs are checked so
 * nothing resolves outside the media directory.
 */
import type { BlobStore } from "@flowcraft/core";
import fs from "node:fs/promises";
import type { Readable } from "node:stream";
import path from "node:path";

const PREFIX = "local:";
const SEGMENT = /^[A-Za-z0-9_.=-]+$/;

export class DiskBlobStore implements BlobStore {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, "media");
  }

  /** Validates a key: `/`-separated segments of safe characters, no `.` or `..`. */
  private files(key: string): { data: string; meta: string } | null {
    const segments = key.split("/");
    if (key.length === 0 || key.length > 1024) return null;
    if (segments.some((s) => !SEGMENT.test(s) || s === "." || s === "..")) return null;
    return { data: path.join(this.root, "data", ...segments), meta: path.join(this.root, "meta", ...segments) + ".json" };
  }

  private keyOf(ref: string): string | null {
    return ref.startsWith(PREFIX) ? ref.slice(PREFIX.length) : null;
  }

  async put(key: string, data: Uint8Array, mimeType: string): Promise<{ ref: string; bytes: number }> {
    const files = this.files(key);
    if (!files) throw new Error(`invalid blob key "${key}"`);
    await writeAtomic(files.data, data);
    await writeAtomic(files.meta, Buffer.from(JSON.stringify({ mimeType, bytes: data.byteLength })));
    return { ref: PREFIX + key, bytes: data.byteLength };
  }

  async get(ref: string): Promise<{ data: Uint8Array; mimeType: string } | null> {
    const key = this.keyOf(ref);
    const files = key === null ? null : this.files(key);
    if (!files) return null;
    try {
      const [data, meta] = await Promise.all([fs.readFile(files.data), fs.readFile(files.meta, "utf8")]);
      const { mimeType } = JSON.parse(meta) as { mimeType: string };
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), mimeType };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  /** The blob as a stream (media over HTTP without loading it whole), or null when missing. */
  async openRead(ref: string): Promise<{ stream: Readable; mimeType: string; bytes: number } | null> {
    const key = this.keyOf(ref);
    const files = key === null ? null : this.files(key);
    if (!files) return null;
    try {
      const { mimeType } = JSON.parse(await fs.readFile(files.meta, "utf8")) as { mimeType: string };
      const handle = await fs.open(files.data, "r");
      const { size } = await handle.stat().catch(async (err: unknown) => {
        await handle.close();
        throw err;
      });
      return { stream: handle.createReadStream(), mimeType, bytes: size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  /** Removes the prefix's directories under `data/` and `meta/` (keys are directory paths here). */
  async deletePrefix(prefix: string): Promise<void> {
    const files = this.files(prefix);
    if (!files) throw new Error(`invalid blob key prefix "${prefix}"`);
    const meta = path.join(this.root, "meta", ...prefix.split("/"));
    await Promise.all([fs.rm(files.data, { recursive: true, force: true }), fs.rm(meta, { recursive: true, force: true })]);
  }

  async delete(ref: string): Promise<void> {
    const key = this.keyOf(ref);
    const files = key === null ? null : this.files(key);
    if (!files) return;
    await Promise.all([fs.rm(files.data, { force: true }), fs.rm(files.meta, { force: true })]);
  }
}

async function writeAtomic(file: string, data: Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

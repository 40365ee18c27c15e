/**
 * Reads CSV uploads (`uploads/{uid}/…`, written by the web app under storage.rules) from Cloud
 * Storage as streams. Every read of one upload pins the object generation seen first, so the
 * check pass and the write pass of a create read the same bytes even if the user uploads again
 * to the same path meanwhile (the later generation is simply not this create's input).
 */
import type { Storage } from "firebase-admin/storage";
import { ValidationError } from "@flowcraft/core";

type Bucket = ReturnType<Storage["bucket"]>;

/** One upload, ready to be read any number of times. */
export interface UploadFile {
  size: number;
  /** A fresh read from the first byte. */
  read: () => AsyncIterable<Uint8Array>;
}

/** The port createBatch reads uploads through (tests use an in-memory one). */
export interface UploadReader {
  /** The upload at `path`, or a ValidationError (path `uploadPath`) when there is none. */
  open(path: string): Promise<UploadFile>;
}

export const noSuchUpload = (path: string): ValidationError =>
  new ValidationError(`No upload at ${path}`, [{ path: "uploadPath", message: "no such file in Cloud Storage; upload the CSV again" }]);

export class StorageUploads implements UploadReader {
  constructor(private readonly bucket: () => Bucket) {}

  async open(path: string): Promise<UploadFile> {
    const bucket = this.bucket();
    let meta: { generation?: string | number; size?: string | number };
    try {
      [meta] = await bucket.file(path).getMetadata();
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) throw noSuchUpload(path);
      throw err;
    }
    const file = bucket.file(path, meta.generation !== undefined ? { generation: Number(meta.generation) } : {});
    return {
      size: Number(meta.size ?? 0),
      read: () => file.createReadStream({ validation: false }) as AsyncIterable<Uint8Array>,
    };
  }
}

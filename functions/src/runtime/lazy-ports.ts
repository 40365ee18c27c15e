/**
 * Ports whose adapter is built on first use. A function builds only what its request touches: a
 * project without a default Storage bucket still runs every function that writes no media, and a
 * failure to build an adapter surfaces where it is used, as that call's error.
 */
import type { BlobStore, TaskQueue } from "@flowcraft/core";

/** Memoizes a successful build; a build that threw is tried again on the next use. */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

export function lazyBlobStore(make: () => BlobStore): BlobStore {
  const blobs = onFirstUse(make);
  return {
    put: async (key, data, mimeType) => blobs().put(key, data, mimeType),
    get: async (ref) => blobs().get(ref),
    delete: async (ref) => blobs().delete(ref),
    deletePrefix: async (prefix) => blobs().deletePrefix(prefix),
  };
}

export function lazyTaskQueue<P>(make: () => TaskQueue<P>): TaskQueue<P> {
  const queue = onFirstUse(make);
  return {
    enqueue: async (task) => queue().enqueue(task),
    delete: async (id) => queue().delete(id),
  };
}

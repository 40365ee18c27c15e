/**
 * A `batch_jobs/{id}` Firestore document as the app's Job: the document holds every field but its
 * id. Written only by the server (rules forbid clients), so it is taken as is; nested parts that
 * evolve with the server (`economy`) are parsed where they are shown (lib/economy-view.ts).
 */
import type { Job } from "@core/batch/model";

export function jobFromDoc(id: string, data: Record<string, unknown> | undefined): Job {
  return { ...(data as Job), id };
}

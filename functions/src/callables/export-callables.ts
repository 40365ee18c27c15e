/**
 * `signMediaLinks({jobId, refs, ttlSeconds?}) → {urls, expiresAt}`: short-lived signed URLs for
 * media of one of the caller's batches, for exports whose media cells must open without signing in
 * (a spreadsheet, a colleague). Owner check first (the core's getJob: another user's job is
 * not_found), then every ref must be a file of that job (`gs://BUCKET/batch_jobs/JOB/…`), so a
 * caller can never sign anything else. The default link is the rule-checked storage path; a
 * signed URL is given only on this request, valid 15 minutes by default (1 minute to 1 hour).
 */
import { PermanentError, ValidationError } from "@flowcraft/core";
import { z } from "zod";
import { BATCH_CALLABLE_TIMEOUT_SECONDS } from "../config/function-options";
import { defineCallable } from "../http/define-callable";
import { JobRef } from "./schemas";

export const MAX_SIGNED_REFS = 500;
export const DEFAULT_LINK_TTL_SECONDS = 900;

export const SignMediaLinksInput = z.strictObject({
  jobId: JobRef.shape.jobId,
  refs: z.array(z.string().min(1).max(2048)).min(1).max(MAX_SIGNED_REFS),
  ttlSeconds: z.number().int().min(60).max(3600).optional(),
});

/** True when `ref` names a file under the job's own folder of some bucket (no `..` tricks). */
export function isJobMediaRef(ref: string, jobId: string): boolean {
  const m = /^gs:\/\/[^/]+\/(.+)$/.exec(ref);
  if (!m) return false;
  const segments = m[1]!.split("/");
  return segments.length > 2 && segments[0] === "batch_jobs" && segments[1] === jobId && !segments.some((s) => s === "" || s === "." || s === "..");
}

export const signMediaLinks = defineCallable({
  name: "signMediaLinks",
  input: SignMediaLinksInput,
  timeoutSeconds: BATCH_CALLABLE_TIMEOUT_SECONDS,
  run: async ({ jobId, refs, ttlSeconds }, { uid, deps }): Promise<{ urls: string[]; expiresAt: number }> => {
    await deps.handlers.getJob({ ownerId: uid }, jobId);
    const foreign = refs.flatMap((ref, i) => (isJobMediaRef(ref, jobId) ? [] : [{ path: `refs[${i}]`, message: `not a media file of batch ${jobId}` }]));
    if (foreign.length > 0) throw new ValidationError("Only media of this batch can be signed", foreign);
    if (!deps.mediaSigner) throw new PermanentError("failed_precondition", "Signed media links are not available on this deployment");
    const signer = deps.mediaSigner;
    const expiresAt = deps.clock.now() + (ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS) * 1000;
    const urls = await Promise.all(refs.map((ref) => signer.signedReadUrl(ref, new Date(expiresAt))));
    deps.logger.info({ jobId, uid, count: refs.length }, "media links signed");
    return { urls, expiresAt };
  },
});

/**
 * The per-owner webhook signing secret, kept server-side at `settings/webhooks/owners/{hash}`
 * (clients never read it: the secret is returned once, by create or rotate, and afterwards only
 * its creation time and last four characters are shown). Rotating replaces it at once; deliveries
 * still queued are signed with the secret current when they are sent.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { DocumentStore } from "../ports/store";

export const webhookSecretPath = (ownerId: string): string => `settings/webhooks/owners/${createHash("sha256").update(ownerId).digest("hex").slice(0, 40)}`;

export const WebhookSecretDoc = z.object({ ownerId: z.string(), secret: z.string(), createdAt: z.number() });
export type WebhookSecretDoc = z.infer<typeof WebhookSecretDoc>;

/** What settings show about the secret without revealing it. */
export interface WebhookSecretInfo {
  exists: boolean;
  createdAt: number | null;
  /** The secret's last four characters (to tell two apart), null when there is none. */
  last4: string | null;
}

export async function readWebhookSecret(store: Pick<DocumentStore, "get">, ownerId: string): Promise<WebhookSecretDoc | null> {
  const doc = await store.get(webhookSecretPath(ownerId));
  return doc ? WebhookSecretDoc.parse(doc.data) : null;
}

export async function webhookSecretInfo(store: Pick<DocumentStore, "get">, ownerId: string): Promise<WebhookSecretInfo> {
  const doc = await readWebhookSecret(store, ownerId);
  return doc ? { exists: true, createdAt: doc.createdAt, last4: doc.secret.slice(-4) } : { exists: false, createdAt: null, last4: null };
}

/** Creates or replaces the owner's secret and returns it: the only time it is shown. */
export async function rotateWebhookSecret(store: Pick<DocumentStore, "set">, ownerId: string, now: number): Promise<{ secret: string; createdAt: number }> {
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const doc: WebhookSecretDoc = { ownerId, secret, createdAt: now };
  await store.set(webhookSecretPath(ownerId), doc);
  return { secret, createdAt: now };
}

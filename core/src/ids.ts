/**
 * Id sources (the `Ids` port): random base62 ids for production, sequential or seeded ones for
 * tests and simulations. All ids match `[A-Za-z0-9_-]`, as Firestore and Cloud Tasks accept.
 */
import type { Ids } from "./ports/clock";

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 20 base62 chars from the platform's cryptographic random source (about 119 bits). */
export function randomIds(length = 20): Ids {
  return {
    newId() {
      let out = "";
      while (out.length < length) {
        const bytes = globalThis.crypto.getRandomValues(new Uint8Array(length * 2));
        for (const b of bytes) {
          // 248 = 4 * 62: rejecting higher bytes keeps every char equally likely.
          if (b < 248 && out.length < length) out += BASE62[b % 62];
        }
      }
      return out;
    },
  };
}

/** `prefix000001`, `prefix000002`, ...: sortable in creation order. */
export function sequentialIds(prefix = "id"): Ids {
  let n = 0;
  return { newId: () => `${prefix}${String(++n).padStart(6, "0")}` };
}

/** Random-looking base62 ids from a seeded `random` (deterministic simulations). */
export function seededIds(random: () => number, length = 20): Ids {
  return {
    newId() {
      let out = "";
      for (let i = 0; i < length; i++) out += BASE62[Math.floor(random() * 62)];
      return out;
    },
  };
}

/** Random ids for documents: 20 url-safe characters (120 bits), like Firestore's auto ids. */
import { randomBytes } from "node:crypto";
import type { Ids } from "@flowcraft/core";

export const randomIds: Ids = {
  newId: () => randomBytes(15).toString("base64url"),
};

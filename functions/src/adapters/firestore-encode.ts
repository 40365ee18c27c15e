/**
 * Store-port values → Firestore values: `increment(n)` → FieldValue.increment, `deleteField()` →
 * FieldValue.delete(), everything else unchanged. Data is validated by the core's write rules first
 * (prepareWrite), so every adapter rejects the same inputs with the same InvalidDataError.
 */
import { FieldValue } from "firebase-admin/firestore";
import { isDeleteField, isIncrement, prepareWrite, type DocData, type Patch } from "@flowcraft/core";

function encodeValue(value: unknown): unknown {
  if (isIncrement(value)) return FieldValue.increment(value.by);
  if (isDeleteField(value)) return FieldValue.delete();
  if (Array.isArray(value)) return value.map(encodeValue);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeValue(v);
    return out;
  }
  return value;
}

export function encodeCreate(path: string, data: DocData): DocData {
  prepareWrite({ kind: "create", path, data });
  return encodeValue(data) as DocData;
}

export function encodeSet(path: string, data: DocData, merge: boolean): DocData {
  prepareWrite({ kind: "set", path, data, merge });
  return encodeValue(data) as DocData;
}

/** Dotted keys stay dotted: Firestore's `update` reads them as field paths, as the port does. */
export function encodeUpdate(path: string, patch: Patch): DocData {
  prepareWrite({ kind: "update", path, patch });
  return encodeValue(patch) as DocData;
}

export function checkDelete(path: string): void {
  prepareWrite({ kind: "delete", path });
}

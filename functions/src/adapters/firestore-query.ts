/**
 * Store-port queries → Firestore queries. The effective order is the `orderBy` field, else the
 * first inequality field, else the document id; ties break by document id in the same direction
 * (Firestore's implicit order), which is what a `startAfter` cursor continues from.
 */
import { FieldPath, type DocumentSnapshot, type Firestore, type Query as FsQuery } from "firebase-admin/firestore";
import type { Doc, DocData, Query } from "@flowcraft/core";

const INEQUALITY = new Set(["!=", "<", "<=", ">", ">="]);

export function buildQuery(db: Firestore, collection: string, q: Query = {}): FsQuery {
  let query: FsQuery = db.collection(collection);
  for (const w of q.where ?? []) query = query.where(w.field, w.op, w.value);
  const orderField = q.orderBy?.field ?? q.where?.find((w) => INEQUALITY.has(w.op))?.field;
  const direction = q.orderBy?.direction ?? "asc";
  if (q.orderBy) query = query.orderBy(q.orderBy.field, direction);
  if (q.startAfter) {
    if (orderField !== undefined && !q.orderBy) query = query.orderBy(orderField, direction);
    query = query.orderBy(FieldPath.documentId(), direction);
    const cursor = q.startAfter;
    query = orderField === undefined ? query.startAfter(cursor.id) : query.startAfter(fieldAt(cursor.data, orderField), cursor.id);
  }
  if (q.limit !== undefined) query = query.limit(q.limit);
  return query;
}

function fieldAt(data: DocData, field: string): unknown {
  let cur: unknown = data;
  for (const part of field.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function toDoc<T>(snap: DocumentSnapshot): Doc<T> | null {
  if (!snap.exists) return null;
  return { id: snap.id, path: snap.ref.path, data: snap.data() as T };
}

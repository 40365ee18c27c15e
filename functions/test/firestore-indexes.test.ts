/**
 * firestore.indexes.json against the queries actually issued. A batch with a failing row runs
 * through the exported functions (create with the active-jobs count, lanes, result trigger,
 * retryFailedRows, reconcile) and the core's reads a host makes (job list, result pages, export),
 * with every store query recorded; the web app's two Firestore queries are listed by hand (they
 * run in the browser). Checks: every query that needs a composite index has one, every declared
 * index serves a recorded query, and no query filters or sorts on a field exempted from indexing.
 */
import fs from "node:fs";
import path from "node:path";
import { OfflineAiService, exportRows, type DocumentStore, type Query, type Transaction } from "@flowcraft/core";
import { getDeps } from "../src/runtime/deps";
import { Harness, auth, fft, textFlow } from "./support/harness";

afterAll(() => fft.cleanup());

interface Recorded {
  group: string;
  q: Query;
}

interface IndexField {
  fieldPath: string;
  order?: "ASCENDING" | "DESCENDING";
}

const config = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../firestore.indexes.json"), "utf8")) as {
  indexes: Array<{ collectionGroup: string; queryScope: string; fields: IndexField[] }>;
  fieldOverrides: Array<{ collectionGroup: string; fieldPath: string; indexes: unknown[] }>;
};

const EQUALITY = new Set(["==", "in", "array-contains", "array-contains-any"]);

/** The collection group of a collection path (`batch_jobs/j1/results` → `results`). */
const groupOf = (collection: string): string => collection.split("/").pop() ?? collection;

function recording(store: DocumentStore, log: Recorded[]): DocumentStore {
  const record = (collection: string, q: Query = {}): void => void log.push({ group: groupOf(collection), q });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "query") return (c: string, q?: Query) => (record(c, q), target.query(c, q));
      if (prop === "count") return (c: string, where?: Query["where"]) => (record(c, { where }), target.count(c, where));
      if (prop === "runTransaction") {
        return <T>(fn: (tx: Transaction) => Promise<T>, opts?: { maxAttempts?: number }) =>
          target.runTransaction(
            (tx) =>
              fn({
                ...tx,
                get: tx.get.bind(tx),
                getAll: tx.getAll.bind(tx),
                create: tx.create.bind(tx),
                set: tx.set.bind(tx),
                update: tx.update.bind(tx),
                delete: tx.delete.bind(tx),
                query: (c, q) => (record(c, q), tx.query(c, q)),
              }),
            opts,
          );
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The composite index a query needs, or null when single-field indexes (merged) serve it. */
function requiredIndex(r: Recorded): { group: string; fields: IndexField[] } | null {
  const where = r.q.where ?? [];
  const equality = [...new Set(where.filter((w) => EQUALITY.has(w.op)).map((w) => w.field))];
  const ranged = where.find((w) => !EQUALITY.has(w.op))?.field;
  const orderField = r.q.orderBy?.field ?? ranged;
  const fields = new Set([...equality, ...(orderField ? [orderField] : [])]);
  if (fields.size <= 1 || orderField === undefined) return null; // one field, or equality only (index merging)
  const order = r.q.orderBy?.direction === "desc" ? "DESCENDING" : "ASCENDING";
  return {
    group: r.group,
    fields: [...equality.filter((f) => f !== orderField).map((f) => ({ fieldPath: f, order: "ASCENDING" as const })), { fieldPath: orderField, order }],
  };
}

const sameFields = (a: IndexField[], b: IndexField[]): boolean =>
  a.length === b.length && a.every((f, i) => f.fieldPath === b[i]?.fieldPath && f.order === b[i]?.order);

/** A declared index serves a query whose fields (equality set, then the ordered field) it holds. */
function serves(index: { collectionGroup: string; fields: IndexField[] }, r: Recorded): boolean {
  if (index.collectionGroup !== r.group) return false;
  const needed = requiredIndex(r);
  if (needed) return sameFields(index.fields, needed.fields);
  const where = r.q.where ?? [];
  const fields = new Set(where.map((w) => w.field));
  return fields.size === index.fields.length && index.fields.every((f) => fields.has(f.fieldPath));
}

/** The web app's own Firestore queries (web/src/backend/firebase-backend.ts). */
const WEB_QUERIES: Recorded[] = [
  { group: "batch_jobs", q: { where: [{ field: "ownerId", op: "==", value: "uid" }], orderBy: { field: "createdAt", direction: "desc" }, limit: 100 } },
  { group: "results", q: { orderBy: { field: "rowIndex" } } },
];

describe("firestore.indexes.json", () => {
  const log: Recorded[] = [];

  beforeAll(async () => {
    const h = new Harness({ ai: new OfflineAiService({}), wrapStore: (s) => recording(s, log) });
    const rows = ["a", "b [[fail-first]]", "c", "d"].map((topic) => ({ topic }));
    const created = await h.createBatch({ data: { flow: textFlow(), columns: ["topic"], rows, concurrency: 2, start: true }, auth: auth("alice") } as never);
    await h.drain();
    await h.retryFailedRows({ data: { jobId: created.job.id }, auth: auth("alice") } as never);
    await h.drain();
    expect(h.errors).toEqual([]);
    const { handlers, store } = getDeps({ withAi: false });
    await handlers.reconcile({ olderThanMs: 0 });
    await handlers.listJobs({ ownerId: "alice" });
    await handlers.listResults({ ownerId: "alice" }, created.job.id, { limit: 2 });
    await handlers.listResults({ ownerId: "alice" }, created.job.id, { limit: 2, cursor: "1" });
    for await (const part of exportRows({ ...depsForExport(store) }, created.job.id, "csv")) void part;
  });

  function depsForExport(store: DocumentStore): Parameters<typeof exportRows>[0] {
    // Export reads only the store; the other deps are never touched on this path.
    return { store } as Parameters<typeof exportRows>[0];
  }

  it("records the queries of every handler that reads collections", () => {
    const groups = new Set(log.map((r) => r.group));
    // batch_creates: reconcile's sweep for creates that staged rows but never committed (one field).
    expect([...groups].sort()).toEqual(expect.arrayContaining(["batch_creates", "batch_jobs", "lanes", "results"]));
    expect(log.some((r) => r.q.where?.some((w) => w.field === "status" && w.value === "failed"))).toBe(true);
  });

  it("declares a composite index for every query that needs one", () => {
    const missing = [...log, ...WEB_QUERIES]
      .map(requiredIndex)
      .filter((need): need is NonNullable<typeof need> => need !== null)
      .filter((need) => !config.indexes.some((i) => i.collectionGroup === need.group && i.queryScope === "COLLECTION" && sameFields(i.fields, need.fields)));
    expect(missing).toEqual([]);
  });

  it("declares no index that no query uses", () => {
    const unused = config.indexes.filter((i) => ![...log, ...WEB_QUERIES].some((r) => serves(i, r)));
    expect(unused).toEqual([]);
  });

  it("exempts from indexing only fields no query filters or sorts on", () => {
    const queried = [...log, ...WEB_QUERIES].flatMap((r) =>
      [...(r.q.where ?? []).map((w) => w.field), ...(r.q.orderBy ? [r.q.orderBy.field] : [])].map((f) => `${r.group}.${f}`),
    );
    const exempt = config.fieldOverrides.filter((o) => o.indexes.length === 0);
    expect(exempt.length).toBeGreaterThan(0);
    const clash = exempt.filter((o) =>
      queried.some((q) => q === `${o.collectionGroup}.${o.fieldPath}` || q.startsWith(`${o.collectionGroup}.${o.fieldPath}.`)),
    );
    expect(clash).toEqual([]);
  });
});

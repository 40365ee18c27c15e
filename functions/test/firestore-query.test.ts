/**
 * How store-port queries become Firestore queries, checked on the generated RunQuery request
 * (the parts the Node test server cannot execute): the effective order (orderBy field, else the
 * first inequality field, else the document id), ties by document id in the same direction, and a
 * `startAfter` cursor over (order value, document reference).
 */
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, type Firestore, type Query as FsQuery } from "firebase-admin/firestore";
import { buildQuery } from "../src/adapters/firestore-query";

interface ProtoValue {
  integerValue?: number;
  stringValue?: string;
  referenceValue?: string;
}
interface StructuredQuery {
  where?: unknown;
  orderBy?: { field: { fieldPath: string }; direction: string }[];
  startAt?: { before?: boolean; values: ProtoValue[] };
  limit?: { value: number } | number;
}

let app: App;
let db: Firestore;
beforeAll(() => {
  app = initializeApp({ projectId: "demo-flowcraft" }, "query-proto-test");
  db = getFirestore(app);
});
afterAll(async () => {
  await deleteApp(app);
});

function proto(q: FsQuery): StructuredQuery {
  return (q as unknown as { toProto(): { structuredQuery: StructuredQuery } }).toProto().structuredQuery;
}
const orders = (s: StructuredQuery) => (s.orderBy ?? []).map((o) => `${o.field.fieldPath} ${o.direction}`);

describe("buildQuery", () => {
  it("continues a descending order after (value, id)", () => {
    const s = proto(
      buildQuery(db, "items", { orderBy: { field: "n", direction: "desc" }, limit: 2, startAfter: { id: "c", path: "items/c", data: { n: 2 } } }),
    );
    expect(orders(s)).toEqual(["n DESCENDING", "__name__ DESCENDING"]);
    expect(s.startAt?.before ?? false).toBe(false);
    expect(s.startAt?.values[0]).toEqual({ integerValue: 2 });
    expect(s.startAt?.values[1]?.referenceValue).toMatch(/\/documents\/items\/c$/);
  });

  it("orders by the first inequality field when paging without an orderBy", () => {
    const s = proto(
      buildQuery(db, "results", {
        where: [{ field: "rowIndex", op: ">", value: 10 }],
        startAfter: { id: "000012", path: "results/000012", data: { rowIndex: 12 } },
      }),
    );
    expect(orders(s)).toEqual(["rowIndex ASCENDING", "__name__ ASCENDING"]);
    expect(s.startAt?.values[0]).toEqual({ integerValue: 12 });
  });

  it("pages by document id alone when there is no order field", () => {
    const s = proto(buildQuery(db, "lanes", { startAfter: { id: "l3", path: "lanes/l3", data: {} }, limit: 5 }));
    expect(orders(s)).toEqual(["__name__ ASCENDING"]);
    expect(s.startAt?.values[0]?.referenceValue).toMatch(/\/documents\/lanes\/l3$/);
  });

  it("adds no cursor order when not paging (Firestore orders ties by id itself)", () => {
    const s = proto(buildQuery(db, "batch_jobs", { where: [{ field: "ownerId", op: "==", value: "u" }], orderBy: { field: "createdAt", direction: "desc" } }));
    expect(orders(s)).toEqual(["createdAt DESCENDING"]);
    expect(s.startAt).toBeUndefined();
  });
});

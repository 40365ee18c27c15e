/** Query and count cases of the DocumentStore conformance suite (see store-conformance.ts). */
import type { Doc, DocumentStore, Query } from "../../ports/store";
import { conformanceCase } from "./conformance-case";
import { useStore, type StoreFactory } from "./store-conformance";

interface Item {
  n: number;
  group: string;
  status?: string | null;
  meta?: { score: number };
}

// id: n, group, status (meta.score = 10 * n)
const ITEMS: [string, Item][] = [
  ["a", { n: 3, group: "x", status: "done" }],
  ["b", { n: 1, group: "y", status: "failed" }],
  ["c", { n: 2, group: "x", status: null }],
  ["d", { n: 2, group: "y" }],
  ["e", { n: 5, group: "x", status: "done" }],
  ["f", { n: 4, group: "z", status: "pending" }],
];

async function seed(store: DocumentStore): Promise<void> {
  for (const [id, item] of ITEMS) await store.create(`items/${id}`, { ...item, meta: { score: item.n * 10 } });
}

const ids = (docs: Doc[]): string[] => docs.map((d) => d.id);

async function allPages(store: DocumentStore, q: Query, pageSize: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: Doc | undefined;
  for (;;) {
    const page = await store.query("items", { ...q, limit: pageSize, ...(cursor ? { startAfter: cursor } : {}) });
    if (page.length === 0) return pages;
    pages.push(ids(page));
    cursor = page[page.length - 1];
    if (pages.length > 50) throw new Error("pagination did not end");
  }
}

export function describeStoreQueries(makeStore: StoreFactory): void {
  describe("queries", () => {
    const store = useStore(makeStore);
    beforeEach(async () => {
      await seed(store());
    });

    const filterCases: [string, Query, string[]][] = [
      ["no filter: all, by id", {}, ["a", "b", "c", "d", "e", "f"]],
      ["==", { where: [{ field: "group", op: "==", value: "x" }] }, ["a", "c", "e"]],
      ["== null matches explicit null only", { where: [{ field: "status", op: "==", value: null }] }, ["c"]],
      ["!= skips missing and null", { where: [{ field: "status", op: "!=", value: "done" }], orderBy: { field: "status" } }, ["b", "f"]],
      ["<", { where: [{ field: "n", op: "<", value: 3 }], orderBy: { field: "n" } }, ["b", "c", "d"]],
      ["<=", { where: [{ field: "n", op: "<=", value: 2 }], orderBy: { field: "n" } }, ["b", "c", "d"]],
      [">", { where: [{ field: "n", op: ">", value: 3 }], orderBy: { field: "n" } }, ["f", "e"]],
      [">=", { where: [{ field: "n", op: ">=", value: 3 }], orderBy: { field: "n" } }, ["a", "f", "e"]],
      ["in", { where: [{ field: "status", op: "in", value: ["done", "pending"] }] }, ["a", "e", "f"]],
      ["dotted field", { where: [{ field: "meta.score", op: ">=", value: 40 }], orderBy: { field: "meta.score" } }, ["f", "e"]],
      [
        "two filters",
        {
          where: [
            { field: "group", op: "==", value: "x" },
            { field: "n", op: ">", value: 2 },
          ],
          orderBy: { field: "n" },
        },
        ["a", "e"],
      ],
      ["range filters match only the value's type", { where: [{ field: "status", op: ">", value: 0 }] }, []],
    ];
    for (const [label, q, expected] of filterCases) {
      conformanceCase(`filters: ${label}`, async () => {
        expect(ids(await store().query("items", q))).toEqual(expected);
      });
    }

    conformanceCase("orders ascending and descending with ties broken by doc id in the same direction", async () => {
      expect(ids(await store().query("items", { orderBy: { field: "n" } }))).toEqual(["b", "c", "d", "a", "f", "e"]);
      expect(ids(await store().query("items", { orderBy: { field: "n", direction: "desc" } }))).toEqual(["e", "f", "a", "d", "c", "b"]);
    });

    conformanceCase("leaves out docs that lack the order field", async () => {
      const docs = await store().query("items", { orderBy: { field: "status" } });
      expect(ids(docs)).toEqual(["c", "a", "e", "b", "f"]);
    });

    conformanceCase("applies limit after ordering", async () => {
      const docs = await store().query("items", { orderBy: { field: "n", direction: "desc" }, limit: 2 });
      expect(ids(docs)).toEqual(["e", "f"]);
      expect(await store().query("items", { where: [{ field: "group", op: "==", value: "x" }], limit: 2 })).toHaveLength(2);
    });

    conformanceCase("pages with startAfter through ties without gaps or repeats", async () => {
      expect(await allPages(store(), { orderBy: { field: "n" } }, 2)).toEqual([
        ["b", "c"],
        ["d", "a"],
        ["f", "e"],
      ]);
      expect(await allPages(store(), { orderBy: { field: "n", direction: "desc" } }, 4)).toEqual([
        ["e", "f", "a", "d"],
        ["c", "b"],
      ]);
      expect(await allPages(store(), { where: [{ field: "group", op: "==", value: "x" }] }, 1)).toEqual([["a"], ["c"], ["e"]]);
    });

    conformanceCase("counts matching docs", async () => {
      expect(await store().count("items")).toBe(6);
      expect(await store().count("items", [{ field: "group", op: "==", value: "x" }])).toBe(3);
      expect(await store().count("items", [{ field: "n", op: ">=", value: 4 }])).toBe(2);
      expect(await store().count("empty")).toBe(0);
    });

    conformanceCase("returns copies that reflect later writes only when queried again", async () => {
      const before = await store().query<Item>("items", { where: [{ field: "group", op: "==", value: "z" }] });
      before[0]!.data.n = 100;
      await store().update("items/f", { group: "x" });
      expect(ids(await store().query("items", { where: [{ field: "group", op: "==", value: "z" }] }))).toEqual([]);
      expect((await store().get<Item>("items/f"))?.data.n).toBe(4);
    });
  });
}

import { applyMapping, mappedColumns, normalizeColumnName, suggestMapping, unmappedInputs } from "../src/lib/column-mapping";

describe("suggestMapping", () => {
  it("prefers the exact name, then a loosely equal one, else leaves the input unmapped", () => {
    const mapping = suggestMapping(["title", "product_name", "tone"], ["Product Name", "title", "Title", "notes"]);
    expect(mapping).toEqual({ title: "title", product_name: "Product Name", tone: null });
    expect(unmappedInputs(mapping, ["title", "product_name", "tone"])).toEqual(["tone"]);
  });

  it("normalizes case, spaces and punctuation only", () => {
    expect(normalizeColumnName("Product-Name ")).toBe(normalizeColumnName("product_name"));
    expect(normalizeColumnName("name2")).not.toBe(normalizeColumnName("name"));
  });
});

describe("applyMapping", () => {
  const table = {
    columns: ["Headline", "body", "title"],
    rows: [
      { Headline: "H1", body: "B1", title: "old1" },
      { Headline: "H2", body: "B2", title: "old2" },
    ],
  };

  it("renames the source column in place and drops the CSV column whose name the flow input takes", () => {
    const out = applyMapping({ title: "Headline" }, table);
    expect(out.columns).toEqual(["title", "body"]);
    expect(out.rows).toEqual([
      { title: "H1", body: "B1" },
      { title: "H2", body: "B2" },
    ]);
  });

  it("keeps rows untouched (but copied) for an identity mapping", () => {
    const out = applyMapping({ title: "title", body: "body" }, table);
    expect(out.columns).toEqual(["Headline", "body", "title"]);
    expect(out.rows).toEqual(table.rows);
    expect(out.rows).not.toBe(table.rows);
  });

  it("copies one CSV column into two flow inputs and swaps names without losing data", () => {
    expect(mappedColumns({ a: "body", b: "body" }, table.columns)).toEqual(["Headline", "a", "b", "title"]);
    const swapped = applyMapping({ body: "title", title: "body" }, table);
    expect(swapped.columns).toEqual(["Headline", "title", "body"]);
    expect(swapped.rows[0]).toEqual({ Headline: "H1", title: "B1", body: "old1" });
  });

  it("ignores unmapped inputs", () => {
    const out = applyMapping({ title: "Headline", tone: null }, table);
    expect(out.columns).not.toContain("tone");
    expect(out.rows[1]).toEqual({ title: "H2", body: "B2" });
  });
});

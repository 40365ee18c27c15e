import { inputsFromRowDocs } from "../src/lib/row-docs";

describe("inputsFromRowDocs", () => {
  it("rebuilds rows from chunks in any order, and refuses unknown shapes", () => {
    const rows = inputsFromRowDocs([
      { id: "000002", data: { start: 2, rows: [{ t: "c" }] } },
      { id: "000000", data: { start: 0, rows: [{ t: "a" }, { t: "b" }] } },
    ]);
    expect(rows).toEqual([{ t: "a" }, { t: "b" }, { t: "c" }]);
    expect(inputsFromRowDocs([{ id: "x", data: { foo: 1 } }])).toBeNull();
  });
});

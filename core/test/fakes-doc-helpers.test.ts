import { applyWrite, documentSize, prepareWrite, type WriteOp } from "../src/store-kit/doc-data";
import { parseDocPath, parseFieldPath } from "../src/store-kit/doc-path";
import { compareStrings, compareValues, planQuery, runQuery } from "../src/store-kit/doc-query";
import { AlreadyExistsError, deleteField, increment, NotFoundError, type DocData } from "../src/ports/store";

describe("compareValues (Firestore type order)", () => {
  it("orders null < boolean < number < string < array < map", () => {
    const values = [{ a: 1 }, ["x"], "b", 3, true, null, false, -1, "a", [1, 2], [1], { a: 0 }];
    expect([...values].sort(compareValues)).toEqual([null, false, true, -1, 3, "a", "b", [1], [1, 2], ["x"], { a: 0 }, { a: 1 }]);
  });

  it("compares strings by code point, not UTF-16 unit", () => {
    // U+FFFF sorts before U+1F600 by code point; JS `<` says the opposite (surrogate 0xD83D < 0xFFFF).
    expect("\uFFFF" < "😀").toBe(false);
    expect(compareStrings("\uFFFF", "😀")).toBeLessThan(0);
    expect(compareStrings("ab", "abc")).toBeLessThan(0);
    expect(compareStrings("b", "abc")).toBeGreaterThan(0);
  });
});

describe("applyWrite", () => {
  const apply = (current: DocData | null, op: WriteOp) => applyWrite(current, prepareWrite(op));

  it.each<[string, DocData | null, WriteOp, DocData | null]>([
    ["create", null, { kind: "create", path: "c/d", data: { a: 1 } }, { a: 1 }],
    ["create with increment", null, { kind: "create", path: "c/d", data: { n: increment(2) } }, { n: 2 }],
    ["set replaces", { a: 1, b: 2 }, { kind: "set", path: "c/d", data: { c: 3 } }, { c: 3 }],
    ["merge into missing doc", null, { kind: "set", path: "c/d", data: { m: { x: 1 } }, merge: true }, { m: { x: 1 } }],
    ["merge keeps siblings", { m: { x: 1, y: 2 } }, { kind: "set", path: "c/d", data: { m: { x: 5 } }, merge: true }, { m: { x: 5, y: 2 } }],
    ["merge sets empty map", { m: { x: 1 } }, { kind: "set", path: "c/d", data: { m: {} }, merge: true }, { m: {} }],
    ["update dotted through a scalar", { a: 5 }, { kind: "update", path: "c/d", patch: { "a.b": 1 } }, { a: { b: 1 } }],
    ["update nested increment in value", { m: { n: 4 } }, { kind: "update", path: "c/d", patch: { m: { n: increment(1) } } }, { m: { n: 1 } }],
    ["delete", { a: 1 }, { kind: "delete", path: "c/d" }, null],
  ])("%s", (_label, current, op, expected) => {
    expect(apply(current, op)).toEqual(expected);
  });

  it("never mutates the current data", () => {
    const current = { m: { x: 1 }, n: 1 };
    apply(current, { kind: "update", path: "c/d", patch: { "m.x": 2, n: increment(1), gone: deleteField() } });
    expect(current).toEqual({ m: { x: 1 }, n: 1 });
  });

  it("checks preconditions", () => {
    expect(() => apply({ a: 1 }, { kind: "create", path: "c/d", data: {} })).toThrow(AlreadyExistsError);
    expect(() => apply(null, { kind: "update", path: "c/d", patch: { a: 1 } })).toThrow(NotFoundError);
  });

  it("rejects sentinels where Firestore does", () => {
    expect(() => prepareWrite({ kind: "set", path: "c/d", data: { a: deleteField() } })).toThrow(/deleteField/);
    expect(() => prepareWrite({ kind: "update", path: "c/d", patch: { m: { a: deleteField() } } })).toThrow(/deleteField/);
    expect(() => prepareWrite({ kind: "update", path: "c/d", patch: { list: [increment(1)] } })).toThrow(/increment/);
    expect(() => prepareWrite({ kind: "update", path: "c/d", patch: { n: increment(NaN) } })).toThrow(/finite/);
  });
});

describe("paths and sizes", () => {
  it("parses doc and field paths", () => {
    expect(parseDocPath("batch_jobs/j1/results/r1")).toEqual({ path: "batch_jobs/j1/results/r1", collection: "batch_jobs/j1/results", id: "r1" });
    expect(parseFieldPath("usage.inputTokens")).toEqual(["usage", "inputTokens"]);
    expect(() => parseFieldPath("a..b")).toThrow();
    expect(() => parseDocPath("c/__x__")).toThrow(/reserved/);
  });

  it("sizes documents with Firestore's formula", () => {
    // name: "c"(2) + "d"(2) + 16 = 20; fields: "a"(2) + "xy"(3) + "n"(2) + 8 = 15; + 32
    expect(documentSize("c/d", { a: "xy", n: 1 })).toBe(67);
  });
});

describe("runQuery", () => {
  it("orders by the first inequality field when no order is given", () => {
    const docs = [
      { id: "a", data: { n: 3 } },
      { id: "b", data: { n: 1 } },
      { id: "c", data: { n: 2 } },
    ];
    const plan = planQuery({ where: [{ field: "n", op: ">", value: 1 }] });
    expect(runQuery(docs, plan).map((d) => d.id)).toEqual(["c", "a"]);
  });

  it("rejects malformed queries", () => {
    expect(() => planQuery({ where: [{ field: "n", op: "in", value: [] }] })).toThrow(/non-empty/);
    expect(() => planQuery({ limit: -1 })).toThrow(/limit/);
    expect(() => planQuery({ where: [{ field: "n", op: "==", value: undefined }] })).toThrow(/undefined/);
  });
});

/**
 * Document data checks name the offending field, wherever it sits (the copy of valid data takes a
 * path without field labels; an invalid value is then checked again with them).
 */
import { cloneValue, prepareWrite, validateDocData } from "../src/store-kit/doc-data";
import { increment, deleteField } from "../src/ports/store";

const createOf = (data: Record<string, unknown>) => prepareWrite({ kind: "create", path: "jobs/a", data });

describe("document data", () => {
  it("copies valid data deeply, pulling increments out of a create", () => {
    const data = { a: { b: [1, { c: "x" }], d: null, e: -0 }, f: true, n: increment(2) };
    const w = createOf(data);
    expect(w.replace).toEqual({ a: { b: [1, { c: "x" }], d: null, e: -0 }, f: true });
    expect(w.replace?.a).not.toBe(data.a);
    expect(w.increments).toEqual([{ segments: ["n"], by: 2 }]);
    const nested = { x: [{ y: 1 }] };
    const copy = validateDocData(nested) as typeof nested;
    expect(copy).toEqual(nested);
    expect(copy.x[0]).not.toBe(nested.x[0]);
  });

  it.each([
    [{ a: { b: [1, { c: undefined }] } }, 'invalid document data at "a.b[1].c": undefined is not allowed'],
    [{ a: { b: [[1]] } }, 'invalid document data at "a.b[0]": arrays of arrays are not supported'],
    [{ a: { n: Number.NaN } }, 'invalid document data at "a.n": NaN is not a finite number'],
    [{ a: { __x__: 1 } }, 'invalid document data at "a.__x__": field names matching __.*__ are reserved'],
    [{ a: [{ when: new Date(0) }] }, 'invalid document data at "a[0].when": unsupported value of type Date'],
    [{ a: { b: [deleteField()] } }, 'invalid document data at "a.b[0]": deleteField() is not allowed here'],
  ])("names the field of a bad value: %j", (data, message) => {
    expect(() => createOf(data)).toThrow(message);
    expect(() => validateDocData(data)).toThrow(message);
  });

  it("refuses data nested deeper than the limit, naming the field", () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 21; i++) deep = { k: deep };
    expect(() => createOf(deep)).toThrow("is nested more than 20 levels deep");
    expect(() => cloneValue(deep, "root")).toThrow(`invalid document data at "root${".k".repeat(21)}": is nested`);
  });
});

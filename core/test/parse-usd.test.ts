import { parseUsd } from "../src/governor/format-usd";

describe("parseUsd: an amount typed in US dollars", () => {
  it("reads plain decimals, with or without a dollar sign", () => {
    expect(parseUsd("2.50")).toBe(2.5);
    expect(parseUsd(" $0.25 ")).toBe(0.25);
    expect(parseUsd(".5")).toBe(0.5);
    expect(parseUsd("1e-3")).toBe(0.001);
  });

  it("refuses what Number() would read as another number, and non-positive or non-finite amounts", () => {
    for (const bad of ["0x10", "0b1", "0o7", "", " ", "abc", "NaN", "Infinity", "-1", "0", "1,5", "1e400", "2.5.1"]) expect(parseUsd(bad)).toBeNull();
  });
});

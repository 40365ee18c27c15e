import { formatUsd } from "../src/governor/format-usd";

describe("formatUsd", () => {
  it.each([
    [0, "$0.00"],
    [12.345, "$12.35"],
    [1, "$1.00"],
    [0.0123, "$0.0123"],
    [0.05, "$0.05"],
    [0.00000531, "$0.00000531"],
    [0.000123456, "$0.000123"],
    [Number.NaN, "$0.00"],
  ])("%p → %s", (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});

import { countsFlag, flagText, numberFlag } from "../bench/bench-flags";

describe("benchmark flags", () => {
  const argv = ["--rows", "5000", "--latency-ms", "0", "--sizes", "1000,10000", "--mib", "0.5"];

  it("reads a flag's value, or the default when it is absent", () => {
    expect(numberFlag(argv, "rows", 1000, "positive-integer")).toBe(5000);
    expect(numberFlag(argv, "concurrency", 10, "positive-integer")).toBe(10);
    expect(numberFlag(argv, "latency-ms", 20, "non-negative")).toBe(0);
    expect(numberFlag(argv, "mib", 1, "positive")).toBe(0.5);
    expect(countsFlag(argv, "sizes", [1, 2], 2)).toEqual([1000, 10_000]);
    expect(countsFlag([], "sizes", [20, 200])).toEqual([20, 200]);
    expect(flagText(argv, "repeat")).toBeUndefined();
  });

  it("refuses values outside the flag's rule, naming the flag", () => {
    expect(() => numberFlag(["--rows", "2.5"], "rows", 1, "positive-integer")).toThrow("--rows must be a positive integer");
    expect(() => numberFlag(["--rows", "0"], "rows", 1, "positive-integer")).toThrow("--rows must be a positive integer");
    expect(() => numberFlag(["--quota", "-3"], "quota", 1, "positive")).toThrow("--quota must be a positive number");
    expect(() => numberFlag(["--latency-ms", "abc"], "latency-ms", 1, "non-negative")).toThrow("--latency-ms must be a number of at least 0");
    expect(() => numberFlag(["--latency-ms", " "], "latency-ms", 1, "non-negative")).toThrow("--latency-ms");
    expect(() => countsFlag(["--sizes", "1000"], "sizes", [1000, 10_000], 2)).toThrow("--sizes must list at least 2 positive integers");
    expect(() => countsFlag(["--sizes", "1000,,10"], "sizes", [1000, 10_000])).toThrow("--sizes");
  });

  it("refuses a flag with no value instead of falling back to the default", () => {
    expect(() => numberFlag(["--rows"], "rows", 1000, "positive-integer")).toThrow("--rows needs a value");
    expect(() => numberFlag(["--rows", "--concurrency", "5"], "rows", 1000, "positive-integer")).toThrow("--rows needs a value");
  });
});

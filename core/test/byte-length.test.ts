/**
 * Job creation measures cells and rows in UTF-8 without encoding them: the count must equal what
 * TextEncoder produces for every kind of string, lone surrogates included.
 */
import { byteLength } from "../src/batch/validate";

const encoded = (s: string): number => new TextEncoder().encode(s).length;

describe("byteLength", () => {
  it.each([
    ["empty", ""],
    ["ASCII", "topic number 42, with a comma"],
    ["two-byte letters", "Grüße aus Köln, ñandú"],
    ["three-byte characters", "日本語のテキスト €"],
    ["surrogate pairs", "emoji 😀👍🏽 and 𝄞"],
    ["a lone high surrogate", "a\uD83Db"],
    ["a lone low surrogate", "a\uDE00b"],
    ["a high surrogate at the end", "end\uD83D"],
    ["two high surrogates then a low one", "\uD83D\uD83D\uDE00"],
    ["U+FFFF and U+0800 edges", "\u07FF\u0800\uFFFF\u007F\u0080"],
  ])("%s", (_name, s) => {
    expect(byteLength(s)).toBe(encoded(s));
  });

  it("matches on every code unit alone and on many random strings", () => {
    const wrong: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (byteLength(String.fromCharCode(c)) !== encoded(String.fromCharCode(c))) wrong.push(c);
    expect(wrong).toEqual([]);
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const misses: string[] = [];
    for (let k = 0; k < 2000; k++) {
      const s = String.fromCharCode(...Array.from({ length: 1 + (next() % 12) }, () => next() % 0x10000));
      if (byteLength(s) !== encoded(s)) misses.push(s);
    }
    expect(misses).toEqual([]);
  });
});

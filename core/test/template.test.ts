import { malformedRefs, refName, renderTemplate, templateRefs } from "../src/flow/template";

describe("templateRefs", () => {
  it.each([
    ["{{title}}", [["title"]]],
    ["{{ title }} and {{\tbody\n}}", [["title"], ["body"]]],
    [
      "{{meta.a.b}} {{meta.list.0}}",
      [
        ["meta", "a", "b"],
        ["meta", "list", "0"],
      ],
    ],
    ["{{node-1}} {{_x}}", [["node-1"], ["_x"]]],
    ['literal {{"a": 1}} and {{}} {{-x}} {{a..b}} text', []],
    ["{title} { {x} } {{{x}}}", [["x"]]],
  ])("finds the references in %j", (template, expected) => {
    expect(templateRefs(template).map((r) => [r.node, ...r.path])).toEqual(expected);
  });

  it("reports offsets and the raw text", () => {
    const [ref] = templateRefs("Hi {{ name }}!");
    expect(ref).toEqual({ raw: "{{ name }}", node: "name", path: [], start: 3, end: 13 });
    expect(refName({ node: "a", path: ["b", "c"] })).toBe("a.b.c");
  });
});

describe("malformedRefs", () => {
  it("flags text that looks like a broken reference but not literal JSON", () => {
    expect(malformedRefs("{{first name}} {{a..b}} {{}} {{ .x }} {{ok}}")).toEqual(["{{first name}}", "{{a..b}}", "{{}}", "{{ .x }}"]);
    expect(malformedRefs('{{"a": 1}} {{ x: 1 }}')).toEqual([]);
  });
});

describe("renderTemplate", () => {
  const values: Record<string, string> = { a: "  A  ", b: "{{a}}", c: "$& $1" };
  const lookup = (ref: { node: string; path: string[] }) => values[refName(ref)] ?? "?";

  it.each([
    ["Say {{a}}!", "Say   A  !"],
    ["{{b}}", "{{a}}"], // values are never expanded again
    ["{{c}}", "$& $1"],
    ["{{ a }}{{a}}", "  A    A  "],
    ["no refs {x} {{not json}}", "no refs {x} {{not json}}"],
    ["", ""],
  ])("renders %j", (template, expected) => {
    expect(renderTemplate(template, lookup)).toBe(expected);
  });

  it("passes field paths to the lookup and propagates its errors", () => {
    const seen: string[] = [];
    renderTemplate("{{x.y.z}}", (ref) => {
      seen.push(refName(ref));
      return "";
    });
    expect(seen).toEqual(["x.y.z"]);
    expect(() =>
      renderTemplate("{{missing}}", () => {
        throw new Error("no value for missing");
      }),
    ).toThrow("no value for missing");
  });
});

/** flowTemplate: a flow's input columns as a CSV header plus one example row. */
import { parseCsv } from "../src/csv/read";
import { flowTemplate } from "../src/flow/template-csv";
import { input, output, rawFlow, text } from "./support/flows";

//   product ──▶ write ──▶ out
//   tone ───────▲
//   product (a second input node on the same column)
const withNodes = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  rawFlow(
    [
      { ...input("product"), data: { column: "product", ...a } },
      { ...input("tone"), data: { column: "tone", ...b } },
      { ...input("again", "product"), data: { column: "product", example: "second" } },
      text("write", "Describe {{product}} in a {{tone}} tone"),
      output("out", "description"),
    ],
    "product>write tone>write again>write write>out",
  );

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

describe("flowTemplate", () => {
  it("uses the flow's own example values, and reads back as one row with those columns", () => {
    const t = flowTemplate(withNodes({ example: "Desk lamp, brass" }, { example: "=playful" }));
    expect(t.columns).toEqual(["product", "tone"]);
    expect(t.example).toEqual({ product: "Desk lamp, brass", tone: "=playful" });
    // BOM for Excel, CRLF records, quoting, and the formula escape of every export.
    expect(t.csv).toBe('\uFEFFproduct,tone\r\n"Desk lamp, brass",\'=playful\r\n');
    expect(parseCsv(t.csv)).toEqual({ columns: ["product", "tone"], rows: [{ product: "Desk lamp, brass", tone: "'=playful" }] });
  });

  it("puts a placeholder naming the column (its label when set) where the flow has no example", () => {
    const t = flowTemplate(withNodes({}, { label: "Tone of voice" }));
    // `product`'s first node has no example; a later node on the same column gives one.
    expect(t.example).toEqual({ product: "second", tone: "example Tone of voice" });
    const bare = flowTemplate(rawFlow([input("topic"), text("w", "About {{topic}}"), output("o", "line")], "topic>w w>o"));
    expect(bare.csv).toBe("\uFEFFtopic\r\nexample topic\r\n");
  });

  it("refuses an invalid flow with parseFlow's details, and a flow with no input column", () => {
    expect(errorOf(() => flowTemplate({ nodes: [], edges: [{ source: "a", target: "b" }] }))).toMatchObject({ code: "invalid_flow" });
    const noInputs = rawFlow([text("w", "A haiku"), output("o", "line")], "w>o");
    expect(errorOf(() => flowTemplate(noInputs))).toMatchObject({ details: [{ path: "flow.nodes" }] });
    expect(errorOf(() => flowTemplate(withNodes({ example: 7 }, {})))).toMatchObject({ code: "invalid_flow" });
  });
});

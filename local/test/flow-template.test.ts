/**
 * A flow's CSV template on the local host: `POST /api/flows/template.csv` (a download of the
 * input columns plus one example row) and `flowcraft-batch template FLOW.json [--out FILE]`, both
 * giving core's bytes; invalid flows are a 400 / exit 2 with the details.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { flowTemplate } from "@flowcraft/core";
import { runCli } from "../src/cli/run-cli";
import type { CliIo } from "../src/cli/run-command";
import { TEXT_FLOW } from "./support/flows";
import { useTestServer } from "./support/test-server";

const srv = useTestServer();

// tone (with an example) and topic (without) ──▶ write ──▶ out "line"
const FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "tone", type: "input", data: { column: "tone", label: "Tone", example: "warm, short" } },
    { id: "write", type: "text", data: { prompt: "Write about {{topic}}, {{tone}}." } },
    { id: "out", type: "output", data: { name: "line" } },
  ],
  edges: [
    { source: "topic", target: "write" },
    { source: "tone", target: "write" },
    { source: "write", target: "out" },
  ],
};
const EXPECTED = '\uFEFFtopic,tone\r\nexample topic,"warm, short"\r\n';

describe("POST /api/flows/template.csv", () => {
  it("answers the template as a CSV download named after the flow", async () => {
    const r = await srv.api("POST", "/api/flows/template.csv", { flow: FLOW, name: "Launch copy" });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(r.headers["content-disposition"]).toBe('attachment; filename="Launch_copy.template.csv"');
    expect(r.text).toBe(EXPECTED);
    expect(r.text).toBe(flowTemplate(FLOW).csv);
  });

  it("answers 400 with the flow's problems, and for a body without a flow", async () => {
    const bad = await srv.api("POST", "/api/flows/template.csv", { flow: { nodes: [{ id: "w", type: "text", data: { prompt: "{{nope}}" } }], edges: [] } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("invalid_flow");
    const missing = await srv.api("POST", "/api/flows/template.csv", { name: "x" });
    expect(missing.status).toBe(400);
    expect(missing.json.error.details[0].path).toBe("flow");
  });
});

/** A CliIo whose stdout and stderr are collected as text. */
function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const stream = (add: (s: string) => void) => ({ write: (s: string) => (add(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  return { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), env: {}, out: () => out, err: () => err };
}

describe("flowcraft-batch template", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-template-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints the template to stdout, or writes it to --out and says what it wrote", async () => {
    const flowFile = path.join(dir, "flow.json");
    fs.writeFileSync(flowFile, JSON.stringify(FLOW));
    const io = captureIo();
    expect(await runCli(["template", flowFile], io)).toBe(0);
    expect(io.out()).toBe(EXPECTED);
    const out = path.join(dir, "sub", "rows.csv");
    const io2 = captureIo();
    expect(await runCli(["template", flowFile, "--out", out], io2)).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(EXPECTED);
    expect(io2.err()).toContain("2 columns (topic, tone)");
  });

  it("exits 2 for a missing or invalid flow and for a missing argument", async () => {
    const io = captureIo();
    expect(await runCli(["template", path.join(dir, "none.json")], io)).toBe(2);
    expect(io.err()).toContain("file not found");
    const noInputs = path.join(dir, "no-inputs.json");
    const haiku = { id: "write", type: "text", data: { prompt: "A haiku." } };
    fs.writeFileSync(noInputs, JSON.stringify({ nodes: [haiku, TEXT_FLOW.nodes[2]], edges: [{ source: "write", target: "out" }] }));
    const io2 = captureIo();
    expect(await runCli(["template", noInputs], io2)).toBe(2);
    expect(io2.err()).toContain("flow.nodes");
    const io3 = captureIo();
    expect(await runCli(["template"], io3)).toBe(2);
    expect(io3.err()).toContain("template needs FLOW.json");
  });
});

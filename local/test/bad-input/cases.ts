/**
 * The bad-input corpus: HTTP requests the local API must refuse, each with the status it must
 * answer, the error code, and a fragment (`names`) that the error's detail paths or message must
 * contain, so the answer says WHICH field, row, id or param is wrong. Every case is refused, so
 * bad-input.test.ts also checks that the store (every SQLite table, the media directory) is byte
 * for byte what it was before.
 *
 * `{job}` in a path is replaced by the id of a real, pending batch. The server runs with small
 * limits (see LIMITS) so the limit cases stay small.
 *
 * `knownRowLeak: true` marks a create case that is refused correctly but still leaves input rows
 * behind (rows are written before the job document). The test then skips only the
 * store-unchanged check for it. No case needs it at present: every such flow is caught by
 * validation before the first write; keep the field for cases found later.
 */

export const LIMITS = { maxRows: 20, maxColumns: 8, maxCellBytes: 200, maxNodes: 12 };
export const BODY_LIMITS = { uploadBytes: 1024 * 1024, jsonBytes: 16 * 1024 };

export interface BadInputCase {
  name: string;
  method: string;
  path: string;
  /** JSON body (serialised), or `{ raw }` sent as is. */
  body?: unknown;
  status: number;
  code: string;
  /** Must appear in a detail path or in the message. */
  names: string;
  knownRowLeak?: true;
}

/** A body sent exactly as written (malformed JSON, keys JSON.stringify cannot produce). */
export const raw = (text: string): { raw: string } => ({ raw: text });
export const isRaw = (b: unknown): b is { raw: string } => typeof b === "object" && b !== null && "raw" in b && Object.keys(b).length === 1;

// topic ──▶ write (text) ──▶ out "line"
export const FLOW = {
  nodes: [
    { id: "topic", type: "input", data: { column: "topic" } },
    { id: "write", type: "text", data: { model: "gemini-2.5-flash", prompt: "Write about {{topic}}." } },
    { id: "out", type: "output", data: { name: "line" } },
  ],
  edges: [
    { source: "topic", target: "write" },
    { source: "write", target: "out" },
  ],
};
/** Nodes and edges as a client may send them: anything, not only objects. */
type Node = (typeof FLOW.nodes)[number] | Record<string, unknown> | string;
type Edge = (typeof FLOW.edges)[number] | Record<string, unknown> | string;

const CSV = "topic\na\nb\n";
/** FLOW with the `write` node's data extended (or replaced, with `replace`). */
const writeData = (extra: Record<string, unknown>, replace = false): typeof FLOW => ({
  ...FLOW,
  nodes: FLOW.nodes.map((n) => (n.id === "write" ? { ...n, data: replace ? extra : { ...n.data, ...extra } } : n)) as typeof FLOW.nodes,
});
const flowWith = (nodes: Node[], edges: Edge[] = FLOW.edges): unknown => ({ nodes, edges });
const create = (flow: unknown, more: Record<string, unknown> = { csv: CSV }): unknown => ({ flow, ...more });
/** A create body as JSON text with one key renamed: `@@k` in the object becomes `k` in the text. */
const createRaw = (body: unknown, key: string): { raw: string } => raw(JSON.stringify(body).replace(`"@@${key}"`, `"${key}"`));
const nested = (levels: number): unknown => {
  let v: unknown = "x";
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

const post = (name: string, body: unknown, status: number, code: string, names: string): BadInputCase => ({
  name,
  method: "POST",
  path: "/api/batches",
  body,
  status,
  code,
  names,
});
const bad = (name: string, body: unknown, names: string, code = "invalid_input"): BadInputCase => post(name, body, 400, code, names);
const badFlow = (name: string, flow: unknown, names: string): BadInputCase => post(name, create(flow), 400, "invalid_flow", names);

const malformedJson: BadInputCase[] = [
  ["unclosed object", "{not json"],
  ["truncated after a key", '{"flow":'],
  ["unclosed array", "[1,2"],
  ["trailing comma", '{"csv":"a\\n",}'],
  ["single quotes", "{'csv':'a'}"],
  ["NaN literal", '{"concurrency":NaN}'],
  ["undefined literal", '{"flow":undefined}'],
  ["a comment", '{/* c */"csv":"a"}'],
  ["unquoted key", "{csv:1}"],
  ["a raw newline inside a string", '{"csv":"a\nb"}'],
  ["a leading byte-order mark", '\uFEFF{"csv":"a"}'],
  ["two documents", '{"csv":"a"}{"csv":"b"}'],
].map(([name, text]) => bad(`malformed JSON: ${name}`, raw(text as string), "(body)"));

const notAnObject: BadInputCase[] = [
  ["an array", "[]"],
  ["a string", '"csv"'],
  ["a number", "42"],
  ["null", "null"],
  ["true", "true"],
].map(([name, text]) => bad(`body is ${name}`, raw(text as string), "(body)"));

const wrongTypes: BadInputCase[] = [
  bad("missing flow", { csv: CSV }, "flow"),
  bad("flow is null", create(null), "flow", "invalid_flow"),
  bad("flow is a number", create(42), "flow", "invalid_flow"),
  bad("flow is text that is not JSON", create("{nodes"), "flow", "invalid_flow"),
  bad("flow is JSON text of an array", create("[1]"), "flow", "invalid_flow"),
  bad("flow is an array", create([FLOW]), "flow", "invalid_flow"),
  bad("nodes is a string", create({ nodes: "x", edges: [] }), "nodes", "invalid_flow"),
  bad("nodes is missing", create({ edges: [] }), "nodes", "invalid_flow"),
  bad("nodes is empty", create({ nodes: [], edges: [] }), "nodes", "invalid_flow"),
  bad("edges is an object", create({ nodes: FLOW.nodes, edges: {} }), "edges", "invalid_flow"),
  bad("name is a number", create(FLOW, { csv: CSV, name: 5 }), "name"),
  bad("name is too long", create(FLOW, { csv: CSV, name: "n".repeat(201) }), "name"),
  bad("concurrency is a string", create(FLOW, { csv: CSV, concurrency: "5" }), "concurrency"),
  bad("concurrency is a fraction", create(FLOW, { csv: CSV, concurrency: 1.5 }), "concurrency"),
  bad("concurrency is zero", create(FLOW, { csv: CSV, concurrency: 0 }), "concurrency"),
  bad("concurrency is negative", create(FLOW, { csv: CSV, concurrency: -1 }), "concurrency"),
  bad("concurrency is above the limit", create(FLOW, { csv: CSV, concurrency: 51 }), "concurrency"),
  bad("concurrency is huge", create(FLOW, { csv: CSV, concurrency: 1e12 }), "concurrency"),
  bad("start is a string", create(FLOW, { csv: CSV, start: "yes" }), "start"),
  bad("csv is a number", create(FLOW, { csv: 5 }), "csv"),
  bad("columns is a string", create(FLOW, { columns: "topic", rows: [] }), "columns"),
  bad("a column is a number", create(FLOW, { columns: [1], rows: [{ topic: "a" }] }), "columns"),
  bad("rows is an object", create(FLOW, { columns: ["topic"], rows: {} }), "rows"),
  bad("a row is a number", create(FLOW, { columns: ["topic"], rows: [1] }), "rows[0]"),
  bad("a row is an array", create(FLOW, { columns: ["topic"], rows: [["a"]] }), "rows[0]"),
  bad("a cell is an object", create(FLOW, { columns: ["topic"], rows: [{ topic: { x: 1 } }] }), "rows[0].topic"),
  bad("a cell is an array", create(FLOW, { columns: ["topic"], rows: [{ topic: ["a"] }] }), "rows[0].topic"),
  bad("a cell in an unknown column", create(FLOW, { columns: ["topic"], rows: [{ topic: "a", other: "b" }] }), "rows[0].other"),
  bad("both csv and rows", create(FLOW, { csv: CSV, columns: ["topic"], rows: [] }), "csv"),
  bad("neither csv nor rows", create(FLOW, {}), "columns"),
  bad("columns without rows", create(FLOW, { columns: ["topic"] }), "rows"),
  bad("rows without columns", create(FLOW, { rows: [{ topic: "a" }] }), "columns"),
  bad("no rows", create(FLOW, { columns: ["topic"], rows: [] }), "rows"),
  // The flow's input column is then missing too, and flow problems lead.
  bad("no columns", create(FLOW, { columns: [], rows: [{}] }), "columns", "invalid_flow"),
  bad("an unknown top-level field", create(FLOW, { csv: CSV, extra: true }), "extra"),
  bad("an empty column name", create(FLOW, { columns: ["topic", " "], rows: [{ topic: "a" }] }), "columns[1]"),
  bad("a duplicate column", create(FLOW, { columns: ["topic", "topic"], rows: [{ topic: "a" }] }), "columns[1]"),
];

const big = (n: number): string => "x".repeat(n);
const manyRows = (n: number): string => `topic\n${Array.from({ length: n }, (_, i) => `r${i}`).join("\n")}\n`;
const manyColumns = (n: number): string[] => ["topic", ...Array.from({ length: n - 1 }, (_, i) => `c${i}`)];
const limits: BadInputCase[] = [
  bad("CSV with more rows than the limit", create(FLOW, { csv: manyRows(LIMITS.maxRows + 1) }), "csv.rows[20]"),
  bad("rows over the limit", create(FLOW, { columns: ["topic"], rows: Array.from({ length: LIMITS.maxRows + 1 }, () => ({ topic: "a" })) }), "rows"),
  bad("CSV with more columns than the limit", create(FLOW, { csv: `${manyColumns(LIMITS.maxColumns + 1).join(",")}\na\n` }), "csv.columns[8]"),
  bad("columns over the limit", create(FLOW, { columns: manyColumns(LIMITS.maxColumns + 1), rows: [{ topic: "a" }] }), "columns"),
  bad("a CSV cell over the byte limit", create(FLOW, { csv: `topic\n${big(LIMITS.maxCellBytes + 1)}\n` }), "csv.rows[0].topic"),
  bad("a CSV cell over the limit in UTF-8 only", create(FLOW, { csv: `topic\n${"é".repeat(101)}\n` }), "csv.rows[0].topic"),
  bad("a row cell over the byte limit", create(FLOW, { columns: ["topic"], rows: [{ topic: big(LIMITS.maxCellBytes + 1) }] }), "rows[0].topic"),
  bad("a column name over the byte limit", create(FLOW, { columns: ["topic", big(1001)], rows: [{ topic: "a" }] }), "columns[1]"),
  bad("a CSV header name over the byte limit", create(FLOW, { csv: `topic,${big(LIMITS.maxCellBytes + 1)}\na,b\n` }), "csv.columns[1]"),
  badFlow(
    "more nodes than the limit",
    flowWith([...FLOW.nodes, ...Array.from({ length: LIMITS.maxNodes }, (_, i) => ({ id: `o${i}`, type: "output", data: { name: `o${i}` } }))]),
    "flow.nodes",
  ),
  badFlow("a flow over 512 KB", writeData({ notes: big(530_000) }), "flow"),
  post("a create body over the upload limit", create(FLOW, { csv: `topic\n${big(BODY_LIMITS.uploadBytes)}\n` }), 413, "limit_exceeded", "body"),
  {
    name: "a PATCH body over the JSON limit",
    method: "PATCH",
    path: "/api/batches/{job}",
    body: { concurrency: 2, pad: big(BODY_LIMITS.jsonBytes) },
    status: 413,
    code: "limit_exceeded",
    names: "body",
  },
  {
    name: "a run body over the JSON limit",
    method: "POST",
    path: "/api/batches/{job}/run",
    body: { pad: big(BODY_LIMITS.jsonBytes) },
    status: 413,
    code: "limit_exceeded",
    names: "body",
  },
  {
    name: "a preview body over the JSON limit",
    method: "POST",
    path: "/api/preview",
    body: { flow: FLOW, row: { topic: big(BODY_LIMITS.jsonBytes) } },
    status: 413,
    code: "limit_exceeded",
    names: "body",
  },
  {
    name: "a generate-text body over the JSON limit",
    method: "POST",
    path: "/api/generate-text",
    body: { model: "m", prompt: big(BODY_LIMITS.jsonBytes) },
    status: 413,
    code: "limit_exceeded",
    names: "body",
  },
];

const csvEdges: BadInputCase[] = [
  ["an unterminated quote in a row", 'topic\n"a\n', "csv.rows[0]"],
  ["an unterminated quote in the header", '"topic\na\n', "csv.header"],
  ["text after a closing quote", 'topic\n"a"b\n', "csv.rows[0]"],
  ["duplicate header names", "topic,topic\na,b\n", "csv.columns[1]"],
  ["a blank header name", "topic, \na,b\n", "csv.columns[1]"],
  ["an empty header name", "topic,\na,b\n", "csv.columns[1]"],
  ["a ragged row with too many cells", "topic\na,b\n", "csv.rows[0]"],
  ["an empty file", "", "csv.header"],
  ["only blank lines", "\n\n\r\n", "csv.header"],
  ["a header but no rows", "topic\n", "rows"],
  ["only a byte-order mark", "\uFEFF", "csv.header"],
  ["a header named __proto__", "topic,__proto__\na,b\n", "csv.columns[1]"],
  ["a header named constructor", "topic,constructor\na,b\n", "csv.columns[1]"],
  ["a header named prototype", "prototype,topic\na,b\n", "csv.columns[0]"],
  ["a header named like __name__", "topic,__name__\na,b\n", "csv.columns[1]"],
  ["a NUL byte in an unterminated quoted cell", 'topic\n"a\u0000\n', "csv.rows[0]"],
  ["a column the flow reads is missing", "title\na\n", "flow.nodes[0].data.column"],
  ["a huge cell among good ones", `topic\na\n${big(5000)}\nc\n`, "csv.rows[1].topic"],
].map(([name, csv, names]) =>
  bad(`CSV: ${name}`, create(FLOW, { csv }), names as string, names === "flow.nodes[0].data.column" ? "invalid_flow" : "invalid_input"),
);

const out = (id: string, name: string): Node => ({ id, type: "output", data: { name } });
const txt = (id: string, prompt: string, data: Record<string, unknown> = {}): Node => ({
  id,
  type: "text",
  data: { model: "gemini-2.5-flash", prompt, ...data },
});
const [TOPIC, WRITE, OUT] = FLOW.nodes as unknown as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
const flows: BadInputCase[] = [
  badFlow(
    "a cycle",
    flowWith(
      [TOPIC, txt("a", "{{topic}} {{b}}"), txt("b", "{{a}}"), OUT],
      [
        { source: "topic", target: "a" },
        { source: "a", target: "b" },
        { source: "b", target: "a" },
        { source: "b", target: "out" },
      ],
    ),
    "cycle",
  ),
  badFlow("a self-loop", flowWith(FLOW.nodes, [...FLOW.edges, { source: "write", target: "write" }]), "cycle"),
  badFlow("an edge to a missing node", flowWith(FLOW.nodes, [...FLOW.edges, { source: "write", target: "ghost" }]), "flow.edges[2]"),
  badFlow("an edge from a missing node", flowWith(FLOW.nodes, [...FLOW.edges, { source: "ghost", target: "write" }]), "flow.edges[2]"),
  badFlow("an edge without a target", flowWith(FLOW.nodes, [...FLOW.edges, { source: "write" }]), "flow.edges[2].target"),
  badFlow("an edge that is a string", flowWith(FLOW.nodes, [...FLOW.edges, "topic>write"]), "flow.edges[2]"),
  badFlow("an unknown node type", flowWith([TOPIC, { ...WRITE, type: "llm" }, OUT]), "flow.nodes[1].type"),
  badFlow("a node without a type", flowWith([TOPIC, { id: "write", data: {} }, OUT]), "flow.nodes[1].type"),
  badFlow("a node without an id", flowWith([TOPIC, { type: "text", data: { prompt: "x" } }, OUT]), "flow.nodes[1].id"),
  badFlow("a node id with a slash", flowWith([TOPIC, { ...WRITE, id: "a/b" }, OUT]), "flow.nodes[1].id"),
  badFlow("a node id that is too long", flowWith([TOPIC, { ...WRITE, id: big(65) }, OUT]), "flow.nodes[1].id"),
  badFlow("duplicate node ids", flowWith([TOPIC, WRITE, { ...WRITE }, OUT]), "flow.nodes[2].id"),
  badFlow("a node id __proto__", flowWith([TOPIC, { ...WRITE, id: "__proto__" }, OUT]), "flow.nodes[1].id"),
  badFlow("a node that is a string", flowWith([TOPIC, "write", OUT]), "flow.nodes[1]"),
  badFlow("a node without data", flowWith([TOPIC, { id: "write", type: "text" }, OUT]), "flow.nodes[1].data"),
  badFlow("node data that is a string", flowWith([TOPIC, { id: "write", type: "text", data: "prompt" }, OUT]), "flow.nodes[1].data"),
  badFlow("a template naming an unknown node", writeData({ prompt: "Use {{ghost}}" }), "flow.nodes[1].data.prompt"),
  badFlow(
    "a template naming a node that is not upstream",
    flowWith(
      [TOPIC, txt("other", "x {{topic}}"), txt("write", "{{topic}} {{other}}"), OUT],
      [
        { source: "topic", target: "other" },
        { source: "topic", target: "write" },
        { source: "write", target: "out" },
      ],
    ),
    "flow.nodes[2].data.prompt",
  ),
  badFlow("a template reading a field of plain text", writeData({ prompt: "{{topic.name}}" }), "flow.nodes[1].data.prompt"),
  badFlow("an empty prompt", writeData({ prompt: "" }), "flow.nodes[1].data.prompt"),
  badFlow("a prompt of only spaces", writeData({ prompt: "   " }), "flow.nodes[1].data.prompt"),
  badFlow("a missing prompt", writeData({ model: "gemini-2.5-flash" }, true), "flow.nodes[1].data.prompt"),
  badFlow("a prompt that is a number", writeData({ prompt: 5 }), "flow.nodes[1].data.prompt"),
  badFlow("temperature out of range", writeData({ temperature: 5 }), "flow.nodes[1].data.temperature"),
  badFlow("temperature as text", writeData({ temperature: "hot" }), "flow.nodes[1].data.temperature"),
  badFlow("maxOutputTokens zero", writeData({ maxOutputTokens: 0 }), "flow.nodes[1].data.maxOutputTokens"),
  badFlow("an empty model", writeData({ model: "" }), "flow.nodes[1].data.model"),
  badFlow("a jsonSchema that is an array", writeData({ jsonSchema: [1] }), "flow.nodes[1].data.jsonSchema"),
  badFlow(
    "an image node with a bad aspect ratio",
    flowWith([TOPIC, { id: "write", type: "image", data: { prompt: "{{topic}}", aspectRatio: "2:1" } }, OUT]),
    "flow.nodes[1].data.aspectRatio",
  ),
  badFlow(
    "a video node with a long duration",
    flowWith([TOPIC, { id: "write", type: "video", data: { prompt: "{{topic}}", durationSeconds: 100 } }, OUT]),
    "flow.nodes[1].data.durationSeconds",
  ),
  badFlow(
    "an image used in a prompt",
    flowWith(
      [TOPIC, { id: "pic", type: "image", data: { prompt: "{{topic}}" } }, txt("write", "{{pic}}"), OUT],
      [
        { source: "topic", target: "pic" },
        { source: "pic", target: "write" },
        { source: "write", target: "out" },
      ],
    ),
    "flow.nodes[2].data.prompt",
  ),
  badFlow("an output without a source", flowWith([TOPIC, WRITE, OUT, out("out2", "extra")]), "flow.nodes[3]"),
  badFlow("an output with two sources", flowWith(FLOW.nodes, [...FLOW.edges, { source: "topic", target: "out" }]), "flow.nodes[2]"),
  badFlow(
    "duplicate output names",
    flowWith([TOPIC, WRITE, OUT, out("out2", "line")], [...FLOW.edges, { source: "write", target: "out2" }]),
    "flow.nodes[3].data.name",
  ),
  badFlow("an output named status", flowWith([TOPIC, WRITE, out("out", "status")]), "flow.nodes[2].data.name"),
  badFlow("an output named __proto__", flowWith([TOPIC, WRITE, out("out", "__proto__")]), "flow.nodes[2].data.name"),
  badFlow("no output node", flowWith([TOPIC, WRITE], [FLOW.edges[0]!]), "output"),
  badFlow("a position that is not numbers", flowWith([{ ...TOPIC, position: { x: "1", y: 2 } }, WRITE, OUT]), "flow.nodes[0].position.x"),
  badFlow("node data nested 1,001 levels", writeData({ deep: nested(1001) }), "flow.nodes[1].data.deep.a"),
  badFlow("node data nested 17 levels", writeData({ deep: nested(13) }), "flow.nodes[1].data.deep.a"),
  badFlow("a JSON schema nested too deep", writeData({ jsonSchema: nested(20) }), "flow.nodes[1].data.jsonSchema"),
  badFlow("a constructor key in node data", writeData({ constructor: "x" }), "flow.nodes[1].data.constructor"),
  badFlow("a prototype key in a position", flowWith([{ ...TOPIC, position: { x: 1, y: 2, prototype: 1 } }, WRITE, OUT]), "flow.nodes[0].position.prototype"),
  badFlow("a __x__ key in node data", writeData({ __x__: 1 }), "flow.nodes[1].data.__x__"),
  badFlow(
    "a __name__ key in a JSON schema",
    writeData({ jsonSchema: { type: "object", properties: { __name__: { type: "string" } } } }),
    "flow.nodes[1].data.jsonSchema.properties.__name__",
  ),
  badFlow("an array inside an array in node data", writeData({ grid: [[1, 2]] }), "flow.nodes[1].data.grid[0]"),
  badFlow("an array inside an array on an edge", flowWith(FLOW.nodes, [{ ...FLOW.edges[0]!, points: [[0, 0]] }, FLOW.edges[1]!]), "flow.edges[0].points[0]"),
  badFlow("a reserved key at the top of the flow", { ...FLOW, constructor: {} }, "flow.constructor"),
  bad("a __proto__ key in node data", createRaw(create(writeData({ "@@__proto__": { polluted: true } })), "__proto__"), "flow.nodes[1].data.__proto__"),
  bad("a __proto__ key at the top of the flow", createRaw(create({ ...FLOW, "@@__proto__": {} }), "__proto__"), "flow.__proto__"),
  bad("a __proto__ key at the top of the body", createRaw({ flow: FLOW, csv: CSV, "@@__proto__": { x: 1 } }, "__proto__"), "__proto__"),
  bad(
    "a __proto__ key in a row",
    createRaw(create(FLOW, { columns: ["topic"], rows: [{ topic: "a", "@@__proto__": "b" }] }), "__proto__"),
    "rows[0].__proto__",
  ),
  bad("a constructor key in a row", create(FLOW, { columns: ["topic"], rows: [{ topic: "a", constructor: "b" }] }), "rows[0].constructor"),
  bad("a column named constructor", create(FLOW, { columns: ["topic", "constructor"], rows: [{ topic: "a", constructor: "b" }] }), "columns[1]"),
  bad("a column named prototype", create(FLOW, { columns: ["topic", "prototype"], rows: [{ topic: "a" }] }), "columns[1]"),
  bad("a column named like __name__", create(FLOW, { columns: ["topic", "__name__"], rows: [{ topic: "a" }] }), "columns[1]"),
];

/** The same request against every route that takes a batch id. */
const idRoutes = (id: string): Array<[string, string]> => [
  ["GET", `/api/batches/${id}`],
  ["POST", `/api/batches/${id}/run`],
  ["POST", `/api/batches/${id}/cancel`],
  ["POST", `/api/batches/${id}/retry-failed`],
  ["PATCH", `/api/batches/${id}`],
  ["GET", `/api/batches/${id}/results`],
  ["GET", `/api/batches/${id}/events`],
  ["GET", `/api/batches/${id}/export.csv`],
  ["GET", `/api/batches/${id}/export.jsonl`],
];
const idCase = (label: string, id: string, status: number, code: string, names: string) =>
  idRoutes(id).map(([method, path]): BadInputCase => ({
    name: `${label}: ${method} ${path}`,
    method,
    path,
    ...(method === "PATCH" ? { body: { concurrency: 2 } } : {}),
    status,
    code,
    names,
  }));
const ids: BadInputCase[] = [
  ...idCase("bad percent-encoding", "%zz", 400, "invalid_input", "id"),
  ...idCase("truncated UTF-8 percent-encoding", "%E0%A4%A", 400, "invalid_input", "id"),
  ...idCase("unknown id", "nope", 404, "not_found", "nope"),
  ...[
    ["a lone percent sign", "%", 400, "invalid_input", "id"],
    ["an encoded slash", "a%2Frows%2F00000", 404, "not_found", "a/rows/00000"],
    ["path traversal", "..%2F..%2Fetc", 404, "not_found", "../../etc"],
    // The URL parser resolves an encoded `..` before routing: no route is left.
    ["an encoded dot-dot", "%2E%2E", 404, "not_found", "route"],
    ["a reserved name", "__x__", 404, "not_found", "__x__"],
    ["an id that is too long", big(129), 404, "not_found", "batch ids are"],
    ["an encoded NUL", "a%00b", 404, "not_found", "batch ids are"],
    ["an encoded space", "a%20b", 404, "not_found", "a b"],
  ].map(([label, id, status, code, names]): BadInputCase => ({
    name: `${label as string}: GET /api/batches/${id as string}`,
    method: "GET",
    path: `/api/batches/${id as string}`,
    status: status as number,
    code: code as string,
    names: names as string,
  })),
  ...[
    ["bad percent-encoding", "local:%zz", 400, "invalid_input", "path"],
    ["truncated percent-encoding", "local:batch_jobs/%E0%A4", 400, "invalid_input", "path"],
    ["path traversal", "local:../../flowcraft.db", 404, "not_found", "media"],
    ["encoded path traversal", "local:%2E%2E%2F%2E%2E%2Fflowcraft.db", 404, "not_found", "media"],
    ["an unknown reference", "local:batch_jobs/nope/media/000000/x.png", 404, "not_found", "media"],
    ["a reference without the local: prefix", "batch_jobs/x/media/000000/x.png", 404, "not_found", "media"],
    ["an absolute path", "local:%2Fetc%2Fpasswd", 404, "not_found", "media"],
    ["a reserved-looking key", "local:__x__", 404, "not_found", "media"],
  ].map(([label, ref, status, code, names]): BadInputCase => ({
    name: `media ${label as string}: ${ref as string}`,
    method: "GET",
    path: `/api/media/${ref as string}`,
    status: status as number,
    code: code as string,
    names: names as string,
  })),
];

const results = "/api/batches/{job}/results";
const query: BadInputCase[] = [
  ["limit=abc", "limit"],
  ["limit=0", "limit"],
  ["limit=-1", "limit"],
  ["limit=1001", "limit"],
  ["limit=1.5", "limit"],
  ["limit=", "limit"],
  ["cursor=abc", "cursor"],
  ["cursor=-1", "cursor"],
  ["cursor=1e3", "cursor"],
  ["cursor=", "cursor"],
  ["cursor=%zz", "cursor"],
  ["limit=10&cursor=0x10", "cursor"],
].map(([q, names]): BadInputCase => ({
  name: `results query ${q}`,
  method: "GET",
  path: `${results}?${q}`,
  status: 400,
  code: "invalid_input",
  names: names as string,
}));

const methods: BadInputCase[] = [
  ["DELETE", "/api/batches"],
  ["PUT", "/api/batches/{job}"],
  ["DELETE", "/api/batches/{job}/results"],
  ["GET", "/api/batches/{job}/run"],
  ["POST", "/api/batches/{job}"],
  ["POST", "/api/config"],
  ["DELETE", "/api/media/local:x"],
  ["GET", "/api/preview"],
  ["GET", "/api/generate-text"],
  ["POST", "/api/examples"],
  ["PATCH", "/api/batches"],
  ["POST", "/index.html"],
].map(([method, path]): BadInputCase => ({
  name: `wrong method ${method} ${path}`,
  method: method as string,
  path: path as string,
  status: 405,
  code: "invalid_input",
  names: method as string,
}));

const job = "/api/batches/{job}";
const otherBodies: BadInputCase[] = [
  { name: "PATCH concurrency as text", method: "PATCH", path: job, body: { concurrency: "2" }, status: 400, code: "invalid_input", names: "concurrency" },
  { name: "PATCH concurrency zero", method: "PATCH", path: job, body: { concurrency: 0 }, status: 400, code: "invalid_input", names: "concurrency" },
  {
    name: "PATCH concurrency above the limit",
    method: "PATCH",
    path: job,
    body: { concurrency: 51 },
    status: 400,
    code: "invalid_input",
    names: "concurrency",
  },
  { name: "PATCH concurrency a fraction", method: "PATCH", path: job, body: { concurrency: 1.5 }, status: 400, code: "invalid_input", names: "concurrency" },
  { name: "PATCH without concurrency", method: "PATCH", path: job, body: {}, status: 400, code: "invalid_input", names: "concurrency" },
  {
    name: "PATCH with an unknown field",
    method: "PATCH",
    path: job,
    body: { concurrency: 2, status: "completed" },
    status: 400,
    code: "invalid_input",
    names: "status",
  },
  { name: "PATCH with malformed JSON", method: "PATCH", path: job, body: raw("{concurrency:2}"), status: 400, code: "invalid_input", names: "(body)" },
  { name: "run with malformed JSON", method: "POST", path: `${job}/run`, body: raw("{"), status: 400, code: "invalid_input", names: "(body)" },
  {
    name: "cancel with a __proto__ key",
    method: "POST",
    path: `${job}/cancel`,
    body: raw('{"__proto__":{}}'),
    status: 400,
    code: "invalid_input",
    names: "__proto__",
  },
  { name: "retry-failed on a batch that has no failed rows", method: "POST", path: `${job}/retry-failed`, status: 409, code: "failed_precondition", names: "" },
  { name: "preview without a flow", method: "POST", path: "/api/preview", body: { row: { topic: "a" } }, status: 400, code: "invalid_input", names: "flow" },
  {
    name: "preview with a row that is a list",
    method: "POST",
    path: "/api/preview",
    body: { flow: FLOW, row: ["a"] },
    status: 400,
    code: "invalid_input",
    names: "row",
  },
  {
    name: "preview with a nested cell",
    method: "POST",
    path: "/api/preview",
    body: { flow: FLOW, row: { topic: { x: 1 } } },
    status: 400,
    code: "invalid_input",
    names: "row.topic",
  },
  {
    name: "preview with a flow missing its column",
    method: "POST",
    path: "/api/preview",
    body: { flow: FLOW, row: { title: "a" } },
    status: 400,
    code: "invalid_flow",
    names: "nodes[0].data.column",
  },
  {
    name: "preview with a deep flow",
    method: "POST",
    path: "/api/preview",
    body: { flow: writeData({ deep: nested(1001) }), row: { topic: "a" } },
    status: 400,
    code: "invalid_flow",
    names: "nodes[1].data.deep",
  },
  {
    name: "preview with a __proto__ row key",
    method: "POST",
    path: "/api/preview",
    body: raw(`{"flow":${JSON.stringify(FLOW)},"row":{"topic":"a","__proto__":"b"}}`),
    status: 400,
    code: "invalid_input",
    names: "row.__proto__",
  },
  {
    name: "preview with a constructor row key",
    method: "POST",
    path: "/api/preview",
    body: { flow: FLOW, row: { topic: "a", constructor: "b" } },
    status: 400,
    code: "invalid_input",
    names: "row.constructor",
  },
  {
    name: "generate-text without a model",
    method: "POST",
    path: "/api/generate-text",
    body: { prompt: "hi" },
    status: 400,
    code: "invalid_input",
    names: "model",
  },
  {
    name: "generate-text with an empty prompt",
    method: "POST",
    path: "/api/generate-text",
    body: { model: "gemini-2.5-flash", prompt: "" },
    status: 400,
    code: "invalid_input",
    names: "prompt",
  },
  {
    name: "generate-text with temperature 3",
    method: "POST",
    path: "/api/generate-text",
    body: { model: "gemini-2.5-flash", prompt: "hi", temperature: 3 },
    status: 400,
    code: "invalid_input",
    names: "temperature",
  },
  {
    name: "generate-text with an unknown field",
    method: "POST",
    path: "/api/generate-text",
    body: { model: "gemini-2.5-flash", prompt: "hi", key: "x" },
    status: 400,
    code: "invalid_input",
    names: "key",
  },
  {
    name: "generate-text with a deep JSON schema",
    method: "POST",
    path: "/api/generate-text",
    body: { model: "gemini-2.5-flash", prompt: "hi", jsonSchema: nested(1001) },
    status: 400,
    code: "invalid_input",
    names: "jsonSchema",
  },
  {
    name: "generate-image with a bad aspect ratio",
    method: "POST",
    path: "/api/generate-image",
    body: { model: "gemini-2.5-flash-image", prompt: "hi", aspectRatio: "2:1" },
    status: 400,
    code: "invalid_input",
    names: "aspectRatio",
  },
  {
    name: "generate-video with zero seconds",
    method: "POST",
    path: "/api/generate-video",
    body: { model: "veo-3.0-fast-generate-001", prompt: "hi", durationSeconds: 0 },
    status: 400,
    code: "invalid_input",
    names: "durationSeconds",
  },
  { name: "an unknown API route", method: "GET", path: "/api/nothing-here", status: 404, code: "not_found", names: "route" },
];

export const CASES: BadInputCase[] = [
  ...malformedJson,
  ...notAnObject,
  ...wrongTypes,
  ...limits,
  ...csvEdges,
  ...flows,
  ...ids,
  ...query,
  ...methods,
  ...otherBodies,
];

/**
 * Which web pages may call the local API: only the server's own origin (the one a request is
 * addressed to), plus origins the user lists with `--allow-origin` / FLOWCRAFT_ALLOW_ORIGINS.
 * Other loopback origins (another port, another scheme) are refused; listed ones get CORS headers
 * and preflight answers. Real server on 127.0.0.1; the CLI's parsing and a `serve` child process.
 */
import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { allowedOrigins } from "../src/cli/origins";
import { TEXT_FLOW, csvOf } from "./support/flows";
import { buildBundles, startServe } from "./support/child";
import { request } from "./support/http-client";
import { startTestServer, type TestServer } from "./support/test-server";

const CREATE = { flow: TEXT_FLOW, csv: csvOf(["a"]) };

describe("the server's own origin only, by default", () => {
  let srv: TestServer;
  beforeAll(async () => (srv = await startTestServer()));
  afterAll(() => srv.close());

  it.each<[string, (port: number) => string, number]>([
    ["its own origin: 201", (p) => `http://127.0.0.1:${p}`, 201],
    ["another port on the same loopback host: 403", () => "http://127.0.0.1:3000", 403],
    ["localhost on another port: 403", () => "http://localhost:3000", 403],
    ["the same host and port over https: 403", (p) => `https://127.0.0.1:${p}`, 403],
    ["localhost on its port, while the request went to 127.0.0.1: 403", (p) => `http://localhost:${p}`, 403],
  ])("%s", async (_label, origin, status) => {
    const res = await request(srv.port, "POST", "/api/batches", CREATE, { origin: origin(srv.port) });
    expect(res.status).toBe(status);
    if (status === 403) {
      expect(res.json.error.code).toBe("permission_denied");
      expect(res.json.error.message).toContain("--allow-origin");
    }
  });

  it("writes nothing for a refused origin", async () => {
    const before = (await request(srv.port, "GET", "/api/batches")).json.jobs.length as number;
    await request(srv.port, "POST", "/api/batches", CREATE, { origin: "http://localhost:3000" });
    expect((await request(srv.port, "GET", "/api/batches")).json.jobs).toHaveLength(before);
  });

  it("sends no CORS headers and refuses a preflight from another origin", async () => {
    const own = await request(srv.port, "GET", "/api/config", undefined, { origin: `http://127.0.0.1:${srv.port}` });
    expect(own.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await request(srv.port, "OPTIONS", "/api/batches", undefined, {
      origin: "http://localhost:3000",
      "access-control-request-method": "POST",
    });
    expect(preflight.status).toBe(403);
  });
});

describe("origins the user listed", () => {
  let srv: TestServer;
  beforeAll(async () => (srv = await startTestServer({ allowedOrigins: ["http://localhost:3000"] })));
  afterAll(() => srv.close());

  it("accepts a listed origin with CORS headers, and answers its preflight", async () => {
    const res = await request(srv.port, "POST", "/api/batches", CREATE, { origin: "http://localhost:3000" });
    expect(res.status).toBe(201);
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:3000");
    expect(res.headers.vary).toContain("Origin");
    const preflight = await request(srv.port, "OPTIONS", "/api/batches", undefined, {
      origin: "http://localhost:3000",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-methods"]).toContain("POST");
    expect(preflight.headers["access-control-allow-headers"]).toContain("content-type");
  });

  it("still refuses origins that are not listed", async () => {
    expect((await request(srv.port, "POST", "/api/batches", CREATE, { origin: "http://localhost:3001" })).status).toBe(403);
  });
});

describe("--allow-origin and FLOWCRAFT_ALLOW_ORIGINS", () => {
  it("joins the repeated flag, comma lists and the environment, normalized and without duplicates", () => {
    const got = allowedOrigins(
      { "allow-origin": "http://localhost:3000,HTTP://LOCALHOST:4000/" },
      { FLOWCRAFT_ALLOW_ORIGINS: " https://app.example , http://localhost:3000" },
    );
    expect(got).toEqual(["http://localhost:3000", "http://localhost:4000", "https://app.example"]);
  });

  it.each(["*", "null", "localhost:3000", "http://localhost:3000/app", "ftp://localhost", "http://localhost:3000?x=1"])(
    "refuses %s as a usage error",
    (entry) => {
      expect(() => allowedOrigins({ "allow-origin": entry }, {})).toThrow(/not an origin/);
    },
  );

  it("serve takes the flag (repeated) and the environment variable", async () => {
    buildBundles();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-origins-"));
    const s = await startServe(["--data-dir", dataDir, "--allow-origin", "http://localhost:3000", "--allow-origin", "http://localhost:3001"], {
      FLOWCRAFT_ALLOW_ORIGINS: "http://localhost:3002",
    });
    try {
      for (const origin of ["http://localhost:3000", "http://localhost:3001", "http://localhost:3002"]) {
        expect((await request(s.port, "GET", "/api/config", undefined, { origin })).status).toBe(200);
      }
      expect((await request(s.port, "GET", "/api/config", undefined, { origin: "http://localhost:3003" })).status).toBe(403);
      expect(s.output()).toContain("http://localhost:3002");
    } finally {
      s.child.kill("SIGTERM");
      await new Promise((r) => s.child.on("close", r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

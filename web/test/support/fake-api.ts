/**
 * A tiny stand-in for the local host's HTTP API on 127.0.0.1 (random port): canned responses per
 * "METHOD path" and a record of every request with its parsed JSON body.
 */
import http from "node:http";

export interface Recorded {
  method: string;
  url: string;
  body: unknown;
}

export type Handler = (req: Recorded) => { status: number; body: unknown; raw?: boolean };

export interface FakeApi {
  baseUrl: string;
  requests: Recorded[];
  route(key: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const routes = new Map<string, Handler>();
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const recorded: Recorded = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        body: !text ? undefined : String(req.headers["content-type"]).startsWith("text/csv") ? text : (JSON.parse(text) as unknown),
      };
      requests.push(recorded);
      const path = recorded.url.split("?")[0];
      const handler = routes.get(`${recorded.method} ${path}`);
      const out = handler ? handler(recorded) : { status: 404, body: { error: { code: "not_found", message: "no route", retryable: false } } };
      res.writeHead(out.status, { "content-type": out.raw ? "text/plain" : "application/json" });
      res.end(out.raw ? String(out.body) : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    route: (key, handler) => routes.set(key, handler),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

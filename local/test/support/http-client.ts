/** Test client for the local HTTP API over node:http: JSON requests and an SSE reader. */
import http from "node:http";
import { isTerminal, type JobStatus } from "@flowcraft/core";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export function request(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function requestBytes(port: number, path: string): Promise<{ status: number; type: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), bytes: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });
}

export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  comments: string[];
  ended: Promise<void>;
  close(): void;
}

/** Opens an SSE stream and parses events as they arrive. */
export function openSse(port: number, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers: { accept: "text/event-stream", ...headers } }, (res) => {
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        events: [],
        comments: [],
        ended: new Promise((r) => res.on("close", r)),
        close: () => req.destroy(),
      };
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf("\n\n")) !== -1) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = { id: null, event: "message", data: "" };
          let isEvent = false;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) stream.comments.push(line.slice(1).trim());
            else if (line.startsWith("id: ")) e.id = line.slice(4);
            else if (line.startsWith("event: ")) {
              e.event = line.slice(7);
              isEvent = true;
            } else if (line.startsWith("data: ")) e.data += line.slice(6);
          }
          if (isEvent) stream.events.push(e);
        }
      });
      resolve(stream);
    });
    req.on("error", reject);
  });
}

/** Polls `GET /api/batches/:id` until the batch is terminal and returns that reply (bounded: 400 polls). */
export async function waitForBatchEnd(port: number, id: string): Promise<Reply> {
  let last: Reply | undefined;
  for (let i = 0; i < 400; i++) {
    last = await request(port, "GET", `/api/batches/${id}`);
    if (isTerminal(last.json.job.status as JobStatus)) return last;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`batch ${id} did not finish: ${JSON.stringify(last?.json)}`);
}

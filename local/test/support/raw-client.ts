/**
 * A raw HTTP/1.1 GET over a net socket on 127.0.0.1 that is paused from the start: it reads
 * nothing until `socket.resume()`, so the server sees a client that has stopped reading.
 */
import net from "node:net";

export interface RawClient {
  socket: net.Socket;
  /** Everything received so far (headers and body), as text. */
  text: () => string;
  closed: Promise<void>;
}

export function pausedGet(port: number, path: string, headers: Record<string, string> = {}): RawClient {
  const socket = net.connect({ host: "127.0.0.1", port });
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}\r\n`);
  socket.pause();
  return { socket, text: () => Buffer.concat(chunks).toString("utf8"), closed };
}

export interface RawEvent {
  id: number;
  event: string;
  data: string;
}

/** Whole SSE events with an id in a raw response (a block cut by chunked framing does not match). */
export function parseEvents(raw: string): RawEvent[] {
  const out: RawEvent[] = [];
  const re = /id: (\d+)\r?\nevent: (\w+)\r?\ndata: ([^\n]*)\n\n/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) out.push({ id: Number(m[1]), event: m[2]!, data: m[3]! });
  return out;
}

/**
 * Long responses (exports, media, static files) written without trusting the client: after a full
 * `write()` wait for `drain`, so memory stays at about one chunk per client; stop as soon as the
 * client goes away (nothing is written after the end); disconnect a client that takes nothing for
 * `stallMs`. Returning early from the loop closes the source (file handles, export generators).
 */
import type { ServerResponse } from "node:http";

/** A download that accepts no bytes for this long is disconnected. */
export const DEFAULT_STALL_MS = 60_000;

/** True once `res` drained; false when it closed, failed, or stalled for `stallMs` (then it is destroyed). */
export function drainOrClose(res: ServerResponse, stallMs: number): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      res.off("drain", onDrain);
      res.off("close", onClose);
      res.off("error", onClose);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    const timer = setTimeout(() => {
      res.destroy();
      done(false);
    }, stallMs);
    res.on("drain", onDrain);
    res.on("close", onClose);
    res.on("error", onClose);
  });
}

/** Writes every chunk of `source` and ends the response; false when the client went away first. */
export async function writeAll(res: ServerResponse, source: AsyncIterable<string | Uint8Array>, stallMs: number): Promise<boolean> {
  for await (const chunk of source) {
    if (res.destroyed || res.writableEnded) return false;
    if (!res.write(chunk) && !(await drainOrClose(res, stallMs))) return false;
  }
  if (res.destroyed) return false;
  res.end();
  return true;
}

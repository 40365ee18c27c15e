/**
 * A GET of a file Gemini serves (a generated video, a batch job's output file) with the API key:
 * the key goes to the first address only. A redirect (to the storage that holds the bytes) is
 * followed without it, so the key never reaches another host. A status that is not 2xx is a
 * `ResponseFailure` of kind `http`, classified like any other provider answer; its body is dropped.
 */
import { ResponseFailure } from "./classify-error";

export async function keyedGet(url: URL, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<Response> {
  const opts = signal ? { signal } : {};
  let res = await fetch(url, { headers, redirect: "manual", ...opts });
  const location = res.headers.get("location");
  if (res.status >= 300 && res.status < 400 && location) {
    await res.body?.cancel();
    res = await fetch(new URL(location, url), { redirect: "follow", ...opts });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ResponseFailure({ kind: "http", status: res.status });
  }
  return res;
}

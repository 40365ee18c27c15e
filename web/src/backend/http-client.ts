/** JSON over fetch against the local host's API; failures become BackendError with the server's ErrorInfo. */
import type { ErrorInfo } from "@core/errors";
import { BackendError } from "./types";
import { canReportUpload, postWithProgress } from "./xhr-upload";

export interface HttpClient {
  get<T>(path: string): Promise<T>;
  send<T>(method: "POST" | "PATCH" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T>;
  /** POSTs a file as the raw body (a CSV upload); `onProgress` gets the share sent (browsers). */
  sendFile<T>(path: string, file: Blob, onProgress?: (fraction: number) => void): Promise<T>;
  url(path: string): string;
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return typeof value === "object" && value !== null && typeof (value as ErrorInfo).message === "string" && typeof (value as ErrorInfo).code === "string";
}

async function readError(res: Response): Promise<BackendError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall through to a generic message
  }
  const info = (body as { error?: unknown } | null)?.error;
  if (isErrorInfo(info)) return new BackendError(info, res.status);
  const message = res.status === 413 ? "The upload is too large." : `The server answered ${res.status} ${res.statusText}.`;
  return new BackendError({ code: res.status === 404 ? "not_found" : "internal", message, retryable: res.status >= 500 }, res.status);
}

export function createHttpClient(baseUrl: string): HttpClient {
  const base = baseUrl.replace(/\/+$/, "");
  const call = async <T>(path: string, init: RequestInit, onProgress?: (fraction: number) => void): Promise<T> => {
    let res: Response;
    try {
      res =
        onProgress && canReportUpload() && init.body instanceof Blob
          ? await postWithProgress(base + path, init.body, init.headers as Record<string, string>, onProgress)
          : await fetch(base + path, init);
    } catch {
      throw new BackendError({ code: "unavailable", message: "Cannot reach the FlowCraft server. Is it running?", retryable: true });
    }
    if (!res.ok) throw await readError(res);
    return (await res.json()) as T;
  };
  return {
    url: (path) => base + path,
    get: (path) => call(path, { headers: { accept: "application/json" } }),
    send: (method, path, body) =>
      call(path, {
        method,
        headers: { "content-type": "application/json", accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    sendFile: (path, file, onProgress) =>
      call(path, { method: "POST", headers: { "content-type": file.type || "text/csv", accept: "application/json" }, body: file }, onProgress),
  };
}

/**
 * A file POST with upload progress: `fetch` cannot report bytes sent, `XMLHttpRequest` can
 * (`xhr.upload.onprogress`). Answers as a `Response`, so the caller's error mapping is the same.
 * Browsers only: where XMLHttpRequest is missing (Node) the caller falls back to fetch.
 */
export const canReportUpload = (): boolean => typeof XMLHttpRequest === "function";

export function postWithProgress(url: string, file: Blob, headers: Record<string, string>, onProgress: (fraction: number) => void): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.total > 0 ? e.loaded / e.total : 0);
    xhr.onload = () => resolve(new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText }));
    xhr.onerror = () => reject(new Error("network error"));
    xhr.onabort = () => reject(new Error("aborted"));
    onProgress(0);
    xhr.send(file);
  });
}

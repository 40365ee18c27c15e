/** Renders text, JSON and media outputs; media refs are resolved to URLs through the backend. */
import { useEffect, useState } from "react";
import type { StoredOutput } from "@core/batch/model";
import type { BatchBackend, PreviewOutput } from "../backend/types";

const urlCache = new Map<string, Promise<string>>();

function useMediaUrl(backend: BatchBackend, ref: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let pending = urlCache.get(ref);
    if (!pending) {
      pending = backend.mediaUrl(ref);
      urlCache.set(ref, pending);
      pending.catch(() => urlCache.delete(ref));
    }
    pending.then((u) => live && setUrl(u)).catch(() => live && setUrl(null));
    return () => {
      live = false;
    };
  }, [backend, ref]);
  return url;
}

export function MediaElement({ src, mimeType, label, className }: { src: string; mimeType: string; label: string; className?: string }) {
  if (mimeType.startsWith("video/")) {
    return <video className={className} src={src} controls preload="metadata" aria-label={label} />;
  }
  return <img className={className} src={src} alt={label} loading="lazy" />;
}

export function StoredMedia({ backend, output, label }: { backend: BatchBackend; output: Extract<StoredOutput, { kind: "mediaRef" }>; label: string }) {
  const url = useMediaUrl(backend, output.ref);
  if (!url) return <span className="hint">loading…</span>;
  return (
    <a href={url} target="_blank" rel="noreferrer" aria-label={`Open ${label} in a new tab`}>
      <MediaElement className="thumb" src={url} mimeType={output.mimeType} label={label} />
    </a>
  );
}

export function PreviewOutputView({ output, label }: { output: PreviewOutput; label: string }) {
  switch (output.kind) {
    case "text":
      return <pre>{output.text}</pre>;
    case "json":
      return <pre>{JSON.stringify(output.value, null, 2)}</pre>;
    case "media":
      return <MediaElement src={output.dataUrl} mimeType={output.mimeType} label={label} />;
  }
}

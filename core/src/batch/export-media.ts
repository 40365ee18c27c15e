/**
 * Names of media files in exports (pure and browser-safe): `row-00012-visual.png` is row 12's
 * output of node `visual` (0-based row index as stored, at least five digits). A node id is
 * already file-safe (letters, digits, `_` and `-`), so names never need escaping; the same name
 * is used for the ZIP entry and for the CSV cell that points at it.
 */
import type { MediaItem } from "./export-columns";

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/webm": "webm",
};

/** The file extension for a media type (`bin` for one we do not know). */
export function mediaExtension(mimeType: string): string {
  return EXTENSIONS[mimeType] ?? "bin";
}

export function mediaFileName(m: Pick<MediaItem, "rowIndex" | "nodeId" | "mimeType">): string {
  return `row-${String(m.rowIndex).padStart(5, "0")}-${m.nodeId.replace(/[^A-Za-z0-9_-]/g, "_")}.${mediaExtension(m.mimeType)}`;
}

/**
 * Collects each media file once while an export is written: the link names the file, and
 * `take()` hands the files met so far to whoever packs them (a ZIP writer). Memory grows by one
 * name and reference per media file, as the ZIP's own central directory does.
 */
export class MediaCollector {
  private readonly byRef = new Map<string, string>();
  private pending: { name: string; ref: string; mimeType: string }[] = [];

  readonly link = (m: MediaItem): string => {
    const known = this.byRef.get(m.ref);
    if (known !== undefined) return known;
    const name = mediaFileName(m);
    this.byRef.set(m.ref, name);
    this.pending.push({ name, ref: m.ref, mimeType: m.mimeType });
    return name;
  };

  take(): { name: string; ref: string; mimeType: string }[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

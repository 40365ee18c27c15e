/** Starts a browser download for an ExportFile (server URL or object URL). */
import type { ExportFile } from "../backend/types";

export function startDownload(file: ExportFile): void {
  const a = document.createElement("a");
  a.href = file.url;
  a.download = file.filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (file.release) setTimeout(file.release, 60_000);
}

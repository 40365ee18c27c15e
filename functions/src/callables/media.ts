/** Media bytes → `data:` URL, the shape previews and single generations return to the web app. */
import type { NodeOutput } from "@flowcraft/core";

export function toDataUrl(mimeType: string, data: Uint8Array): string {
  return `data:${mimeType};base64,${Buffer.from(data).toString("base64")}`;
}

export type PreviewOutput =
  | Exclude<NodeOutput, { kind: "media" }>
  | { kind: "media"; mimeType: string; dataUrl: string };

export function toPreviewOutput(out: NodeOutput): PreviewOutput {
  return out.kind === "media" ? { kind: "media", mimeType: out.mimeType, dataUrl: toDataUrl(out.mimeType, out.data) } : out;
}

export function mapOutputs(outputs: Record<string, NodeOutput>): Record<string, PreviewOutput> {
  const result: Record<string, PreviewOutput> = {};
  for (const [key, value] of Object.entries(outputs)) result[key] = toPreviewOutput(value);
  return result;
}

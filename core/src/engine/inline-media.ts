/**
 * The wire shape of previews and single generations: media bytes inlined as `data:` URLs, so a
 * client shows them without a blob store. Shared by the local HTTP routes and the callables.
 */
import type { MediaResult, Usage } from "../ai/port";
import type { NodeOutput, RowRun } from "./types";

export function toDataUrl(mimeType: string, data: Uint8Array): string {
  return `data:${mimeType};base64,${Buffer.from(data).toString("base64")}`;
}

export type PreviewOutput = Exclude<NodeOutput, { kind: "media" }> | { kind: "media"; mimeType: string; dataUrl: string };

export type PreviewRun = Omit<RowRun, "outputs" | "nodeOutputs"> & Record<"outputs" | "nodeOutputs", Record<string, PreviewOutput>>;

export interface MediaResponse {
  mimeType: string;
  dataUrl: string;
  usage: Usage;
  model: string;
}

function inlineOutput(out: NodeOutput): PreviewOutput {
  return out.kind === "media" ? { kind: "media", mimeType: out.mimeType, dataUrl: toDataUrl(out.mimeType, out.data) } : out;
}

function inlineOutputs(outputs: Record<string, NodeOutput>): Record<string, PreviewOutput> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, inlineOutput(v)]));
}

/** A row run with every media output (final and per node) inlined. */
export function toPreviewRun(run: RowRun): PreviewRun {
  return { ...run, outputs: inlineOutputs(run.outputs), nodeOutputs: inlineOutputs(run.nodeOutputs) };
}

export function toMediaResponse(res: MediaResult): MediaResponse {
  return { mimeType: res.mimeType, dataUrl: toDataUrl(res.mimeType, res.data), usage: res.usage, model: res.model };
}

/**
 * What each node type does once its upstream nodes are done: input nodes read their cell verbatim,
 * AI nodes render their templates from upstream outputs and call the AI service, output nodes
 * pass their source's output through. Rendering is done once, before any retry.
 */
import { PermanentError } from "../errors";
import type { AiService, Usage } from "../ai/port";
import type { AiNode, ImageNode, InputNode, TextNode, VideoNode } from "../flow/schema";
import { refName, renderTemplate, type TemplateRef } from "../flow/template";
import { checkJsonOutput } from "./output-check";
import { estimateTokens } from "../governor/governed-call";
import type { NodeOutput } from "./types";

export interface AiNodeResult {
  output: NodeOutput;
  usage: Usage;
  model: string;
}

/** A rendered AI call, with what the governor needs to know before it is made. */
export interface PreparedAiCall {
  model: string;
  kind: AiNode["type"];
  /** Input tokens expected (prompt and system text, about 4 characters per token). */
  estimatedTokens: number;
  run: (signal: AbortSignal) => Promise<AiNodeResult>;
}

/** An input node's output: the row's cell, untouched (no trimming, no normalisation). */
export function inputNodeOutput(node: InputNode, row: Record<string, string>): NodeOutput {
  const value = row[node.data.column];
  if (typeof value !== "string") {
    throw new PermanentError("invalid_input", `The row has no column "${node.data.column}" (read by node "${node.id}")`);
  }
  return { kind: "text", text: value };
}

/** Renders one template; throws a permanent error naming the missing value or field. */
export function renderWith(template: string, outputs: ReadonlyMap<string, NodeOutput>): string {
  return renderTemplate(template, (ref) => refValue(ref, outputs.get(ref.node)));
}

function refValue(ref: TemplateRef, output: NodeOutput | undefined): string {
  const shown = `{{${refName(ref)}}}`;
  if (!output) throw new PermanentError("invalid_flow", `${shown} has no value: node "${ref.node}" produced no output`);
  switch (output.kind) {
    case "text":
      if (ref.path.length > 0) throw new PermanentError("invalid_flow", `${shown} reads a field of plain text from "${ref.node}"`);
      return output.text;
    case "json":
      return ref.path.length === 0 ? output.text : jsonField(ref, output.value, shown);
    case "media":
    case "mediaRef":
      throw new PermanentError("invalid_flow", `${shown}: image and video outputs cannot be used in prompts`);
  }
}

/** Walks `ref.path` into a JSON value; strings render verbatim, anything else as JSON. */
function jsonField(ref: TemplateRef, value: unknown, shown: string): string {
  let cur = value;
  for (const [i, key] of ref.path.entries()) {
    const holder = typeof cur === "object" && cur !== null ? (cur as Record<string, unknown>) : undefined;
    if (!holder || !Object.prototype.hasOwnProperty.call(holder, key)) {
      const field = ref.path.slice(0, i + 1).join(".");
      throw new PermanentError("model_error", `Node "${ref.node}" returned JSON without the field "${field}" needed by ${shown}`);
    }
    cur = holder[key];
  }
  return typeof cur === "string" ? cur : JSON.stringify(cur);
}

/** Renders the node's templates once; `run` may then be retried with the same request. */
export function prepareAiCall(node: AiNode, outputs: ReadonlyMap<string, NodeOutput>, ai: AiService): PreparedAiCall {
  const prompt = renderWith(node.data.prompt, outputs);
  const base = { model: node.data.model, kind: node.type };
  switch (node.type) {
    case "text": {
      const system = node.data.system !== undefined ? renderWith(node.data.system, outputs) : undefined;
      return { ...base, estimatedTokens: estimateTokens(prompt, system), run: textCall(node, prompt, system, ai) };
    }
    case "image":
      return { ...base, estimatedTokens: estimateTokens(prompt), run: imageCall(node, prompt, ai) };
    case "video":
      return { ...base, estimatedTokens: estimateTokens(prompt), run: videoCall(node, prompt, ai) };
  }
}

function textCall(node: TextNode, prompt: string, system: string | undefined, ai: AiService) {
  const { model, temperature, maxOutputTokens, jsonSchema } = node.data;
  return async (signal: AbortSignal): Promise<AiNodeResult> => {
    const res = await ai.generateText({ model, prompt, signal, ...defined({ system, temperature, maxOutputTokens, jsonSchema }) });
    if (jsonSchema === undefined) return { output: { kind: "text", text: res.text }, usage: res.usage, model: res.model };
    const value = checkJsonOutput(node.id, jsonValue(node, res.json, res.text));
    return { output: { kind: "json", text: res.text, value }, usage: res.usage, model: res.model };
  };
}

function jsonValue(node: TextNode, json: unknown, text: string): unknown {
  if (json !== undefined) return json;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PermanentError("model_error", `Node "${node.id}" asked for JSON but the model returned text that is not JSON`);
  }
}

function imageCall(node: ImageNode, prompt: string, ai: AiService) {
  const { model, aspectRatio } = node.data;
  return async (signal: AbortSignal): Promise<AiNodeResult> => {
    const res = await ai.generateImage({ model, prompt, signal, ...defined({ aspectRatio }) });
    return { output: { kind: "media", mimeType: res.mimeType, data: res.data }, usage: res.usage, model: res.model };
  };
}

function videoCall(node: VideoNode, prompt: string, ai: AiService) {
  const { model, aspectRatio, durationSeconds } = node.data;
  return async (signal: AbortSignal): Promise<AiNodeResult> => {
    const res = await ai.generateVideo({ model, prompt, signal, ...defined({ aspectRatio, durationSeconds }) });
    return { output: { kind: "media", mimeType: res.mimeType, data: res.data }, usage: res.usage, model: res.model };
  };
}

/** Drops undefined values so requests (and anything stored from them) carry no `undefined` keys. */
function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The flow format: React-Flow-shaped JSON (`nodes[{id,type,data,position?}]`,
 * `edges[{id?,source,target,...}]`) so an editor's state drops straight in. Extra React Flow keys
 * (width, selected, sourceHandle, ...) are accepted and ignored. Graph-level checks (cycles,
 * dangling edges, template references, CSV columns) live in `parse.ts` and the `check-*.ts` files.
 */
import { z } from "zod";

export const NodeId = z
  .string()
  .min(1)
  .max(64)
  // React Flow editors often number their nodes ("1", "2"), so a leading digit is fine.
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, "must use only letters, digits, _ and - (and not start with -)");

const Position = z.object({ x: z.number(), y: z.number() }).optional();

/** A prompt template: required, and not only whitespace. */
const Prompt = z.string({ error: "prompt is required" }).refine((s) => s.trim() !== "", "prompt is empty: write what this step should produce");

export const InputNodeData = z.looseObject({
  /** The CSV column whose cell value this node outputs, verbatim. */
  column: z.string({ error: "column is required: the CSV column this input reads" }).min(1, "column is empty: name the CSV column this input reads"),
  label: z.string().optional(),
  /** An example cell value, used as the example row of the flow's CSV template (template-csv.ts). */
  example: z.string({ error: "example must be text" }).optional(),
});

export const TextNodeData = z.looseObject({
  model: z.string().min(1, "model is empty: choose a Gemini model").default("gemini-2.5-flash"),
  prompt: Prompt,
  system: z.string().optional(),
  temperature: z
    .number({ error: "temperature must be a number" })
    .min(0, "temperature must be between 0 and 2")
    .max(2, "temperature must be between 0 and 2")
    .optional(),
  maxOutputTokens: z
    .number({ error: "maxOutputTokens must be a number" })
    .int("maxOutputTokens must be a whole number")
    .positive("maxOutputTokens must be at least 1")
    .optional(),
  /** JSON schema for structured output; when present the node's output is the parsed JSON. */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  label: z.string().optional(),
});

export const ImageNodeData = z.looseObject({
  /** A Gemini image model (`gemini-*-image*`) or an Imagen model (`imagen-*`). */
  model: z.string().min(1, "model is empty: choose a Gemini image or Imagen model").default("gemini-2.5-flash-image"),
  prompt: Prompt,
  aspectRatio: z.enum(["1:1", "3:4", "4:3", "9:16", "16:9"], { error: "aspectRatio must be one of 1:1, 3:4, 4:3, 9:16, 16:9" }).optional(),
  label: z.string().optional(),
});

export const VideoNodeData = z.looseObject({
  model: z.string().min(1, "model is empty: choose a Veo model").default("veo-3.0-fast-generate-001"),
  prompt: Prompt,
  aspectRatio: z.enum(["16:9", "9:16"], { error: "aspectRatio must be 16:9 or 9:16" }).optional(),
  durationSeconds: z
    .number({ error: "durationSeconds must be a number" })
    .int("durationSeconds must be a whole number")
    .min(1, "durationSeconds must be between 1 and 60")
    .max(60, "durationSeconds must be between 1 and 60")
    .optional(),
  label: z.string().optional(),
});

export const OutputNodeData = z.looseObject({
  /** The result column this node's value is written to. */
  name: z.string({ error: "name is required: the result column this output writes" }).min(1, "name is empty: name the result column this output writes"),
  label: z.string().optional(),
});

const base = { id: NodeId, position: Position };

export const InputNode = z.looseObject({ ...base, type: z.literal("input"), data: InputNodeData });
export const TextNode = z.looseObject({ ...base, type: z.literal("text"), data: TextNodeData });
export const ImageNode = z.looseObject({ ...base, type: z.literal("image"), data: ImageNodeData });
export const VideoNode = z.looseObject({ ...base, type: z.literal("video"), data: VideoNodeData });
export const OutputNode = z.looseObject({ ...base, type: z.literal("output"), data: OutputNodeData });

export const NODE_TYPES = ["input", "text", "image", "video", "output"] as const;
export const NodeType = z.enum(NODE_TYPES);
export type NodeType = z.infer<typeof NodeType>;

export const FlowNode = z.discriminatedUnion("type", [InputNode, TextNode, ImageNode, VideoNode, OutputNode]);
export type FlowNode = z.infer<typeof FlowNode>;
export type InputNode = z.infer<typeof InputNode>;
export type TextNode = z.infer<typeof TextNode>;
export type ImageNode = z.infer<typeof ImageNode>;
export type VideoNode = z.infer<typeof VideoNode>;
export type OutputNode = z.infer<typeof OutputNode>;
/** Nodes that call the AI service. */
export type AiNode = TextNode | ImageNode | VideoNode;

export const FlowEdge = z.looseObject({
  id: z.string().optional(),
  source: z.string().min(1),
  target: z.string().min(1),
});
export type FlowEdge = z.infer<typeof FlowEdge>;

export const Flow = z.looseObject({
  nodes: z.array(z.unknown()).min(1),
  edges: z.array(FlowEdge).default([]),
});
/** A flow after `parseFlow` (schema + graph checks): nodes are typed. */
export interface Flow {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

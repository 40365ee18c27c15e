/**
 * Checks every prompt and system template of the AI nodes: each `{{ref}}` must name a direct or
 * transitive upstream node (connected by edges), that node must produce text (media cannot go into
 * a prompt), and `{{node.field}}` needs a node that outputs JSON.
 */
import type { ErrorDetail } from "../errors";
import { nodePath, type NodeEntry } from "./check-graph";
import { ancestors, type FlowGraph } from "./graph";
import type { FlowNode } from "./schema";
import { malformedRefs, refName, templateRefs, type TemplateRef } from "./template";

/** The template fields of an AI node, by data key. */
export function templateFields(node: FlowNode): Array<{ field: "prompt" | "system"; template: string }> {
  switch (node.type) {
    case "text": {
      const fields: Array<{ field: "prompt" | "system"; template: string }> = [{ field: "prompt", template: node.data.prompt }];
      if (node.data.system !== undefined) fields.push({ field: "system", template: node.data.system });
      return fields;
    }
    case "image":
    case "video":
      return [{ field: "prompt", template: node.data.prompt }];
    case "input":
    case "output":
      return [];
  }
}

export function checkTemplates(entries: NodeEntry[], graph: FlowGraph, problems: ErrorDetail[]): void {
  const byId = new Map<string, NodeEntry>();
  for (const e of entries) if (!byId.has(e.id)) byId.set(e.id, e);
  for (const e of entries) {
    if (!e.node) continue;
    const ups = ancestors(graph, e.id);
    for (const { field, template } of templateFields(e.node)) {
      const path = nodePath(e, `data.${field}`);
      for (const raw of malformedRefs(template)) {
        problems.push({ path, message: `${raw} is not a valid reference: write {{nodeId}} or {{nodeId.field}}` });
      }
      for (const ref of templateRefs(template)) {
        const message = refProblem(ref, e, byId, ups);
        if (message) problems.push({ path, message });
      }
    }
  }
}

function refProblem(ref: TemplateRef, self: NodeEntry, byId: Map<string, NodeEntry>, ups: Set<string>): string | null {
  const shown = `{{${refName(ref)}}}`;
  const target = byId.get(ref.node);
  if (ref.node === self.id) return `${shown} refers to this node itself; reference an upstream node`;
  if (!target) return `${shown} refers to no upstream node; known: ${knownRefs(byId, ups, self.id)}${columnHint(ref, byId)}`;
  if (target.type === "image" || target.type === "video") {
    return `${shown} refers to ${target.type} node "${target.id}": image and video outputs cannot be used in prompts (not supported)`;
  }
  if (target.type === "output") {
    return `${shown} refers to output node "${target.id}"; output nodes cannot be referenced, reference the node that feeds it`;
  }
  if (!ups.has(ref.node)) {
    return `${shown} refers to node "${ref.node}", which is not upstream of "${self.id}": add an edge from "${ref.node}" to "${self.id}" (directly or through other nodes)`;
  }
  if (ref.path.length > 0 && !producesJson(target)) {
    return `${shown} reads a field, but "${target.id}" outputs plain text; only text nodes with a jsonSchema have fields`;
  }
  return null;
}

/** `{{title}}` where an input node with another id reads column "title": point at that node. */
function columnHint(ref: TemplateRef, byId: Map<string, NodeEntry>): string {
  const reader = [...byId.values()].find((e) => e.node?.type === "input" && e.node.data.column === ref.node);
  return reader ? ` (column "${ref.node}" is read by input node "${reader.id}": write {{${reader.id}}})` : "";
}

/** Unknown (schema failed) counts as JSON so one mistake is not reported twice. */
function producesJson(e: NodeEntry): boolean {
  if (!e.node) return e.type === "text";
  return e.node.type === "text" && e.node.data.jsonSchema !== undefined;
}

/** Upstream nodes a prompt may reference (input and text), in flow order. */
function knownRefs(byId: Map<string, NodeEntry>, ups: Set<string>, self: string): string {
  const referable = (e: NodeEntry): boolean => e.type === "input" || e.type === "text";
  const known = [...byId.values()].filter((e) => e.id !== self && ups.has(e.id) && referable(e));
  return known.length > 0 ? known.map((e) => e.id).join(", ") : "none (connect an input or text node to this one)";
}

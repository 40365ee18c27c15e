/**
 * The flow being edited, kept across screens and page reloads (localStorage), plus the sample CSV
 * of the example it came from (offered in the batch dialog and used to prefill the preview row).
 */
import { useCallback, useEffect, useState } from "react";
import type { Edge, Node } from "@xyflow/react";
import { toEditorFlow, toFlowJson } from "../lib/flow-model";

export interface FlowDocument {
  nodes: Node[];
  edges: Edge[];
  /** Name shown in the toolbar and used for batch names. */
  name: string;
  sampleCsv: string | null;
}

const KEY = "flowcraft.flow.v1";
const EMPTY: FlowDocument = { nodes: [], edges: [], name: "Untitled flow", sampleCsv: null };

function load(): FlowDocument {
  try {
    const raw = window.localStorage.getItem(KEY);
    if (!raw) return EMPTY;
    const saved = JSON.parse(raw) as { flow: unknown; name?: string; sampleCsv?: string | null };
    const flow = toEditorFlow(saved.flow);
    return { nodes: flow.nodes, edges: flow.edges, name: saved.name ?? EMPTY.name, sampleCsv: saved.sampleCsv ?? null };
  } catch {
    return EMPTY;
  }
}

export function useFlowDocument(): [FlowDocument, (update: (doc: FlowDocument) => FlowDocument) => void] {
  const [doc, setDoc] = useState<FlowDocument>(load);
  useEffect(() => {
    const timer = setTimeout(() => {
      try {
        const flow = toFlowJson({ nodes: doc.nodes, edges: doc.edges });
        window.localStorage.setItem(KEY, JSON.stringify({ flow, name: doc.name, sampleCsv: doc.sampleCsv }));
      } catch {
        // storage full or disabled: editing still works, it just is not kept
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [doc]);
  const update = useCallback((fn: (d: FlowDocument) => FlowDocument) => setDoc(fn), []);
  return [doc, update];
}

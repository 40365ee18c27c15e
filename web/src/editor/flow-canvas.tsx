/** The React Flow canvas: custom nodes for all five kinds, drag to connect, Delete removes the selection. */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type NodeTypes,
  type ReactFlowInstance,
} from "@xyflow/react";
import { useCallback, useEffect, useRef } from "react";
import { FlowNodeView } from "./flow-node";

/** The node views for all five kinds, shared with the read-only canvas of a batch's flow. */
export const nodeTypes: NodeTypes = { input: FlowNodeView, text: FlowNodeView, image: FlowNodeView, video: FlowNodeView, output: FlowNodeView };

/** The grid and zoom buttons every flow canvas shows. */
export function CanvasBackdrop() {
  return (
    <>
      <Background gap={20} color="#dfe3ec" />
      <Controls showInteractive={false} />
    </>
  );
}

/** A change to the graph, applied to the CURRENT document (not to the nodes this render saw). */
export type GraphUpdate = (graph: { nodes: Node[]; edges: Edge[] }) => { nodes?: Node[]; edges?: Edge[] };

interface Props {
  nodes: Node[];
  edges: Edge[];
  onChange: (update: GraphUpdate) => void;
  onSelect: (nodeId: string | null) => void;
  invalidEdges: ReadonlySet<number>;
  /** Changes when the whole flow should be brought into view (a node was added, a flow loaded). */
  fitKey: number;
}

export function FlowCanvas({ nodes, edges, onChange, onSelect, invalidEdges, fitKey }: Props) {
  const instance = useRef<ReactFlowInstance | null>(null);
  useEffect(() => {
    if (fitKey === 0) return;
    // Wait a frame or two so new nodes are measured before fitting.
    const timer = setTimeout(() => void instance.current?.fitView({ padding: 0.2, maxZoom: 1.1, duration: 200 }), 150);
    return () => clearTimeout(timer);
  }, [fitKey]);
  // React Flow reports changes (measurements, selection, drags) from callbacks that may run before
  // this component re-rendered with a newly loaded flow: applying them to the nodes of the render
  // that created the callback would write the previous flow back over an import that reuses its
  // node ids. So every change is applied to the document as it is when the update runs.
  const onNodesChange = useCallback((changes: NodeChange[]) => onChange((g) => ({ nodes: applyNodeChanges(changes, g.nodes) })), [onChange]);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => onChange((g) => ({ edges: applyEdgeChanges(changes, g.edges) })), [onChange]);
  const onConnect = useCallback((c: Connection) => onChange((g) => ({ edges: addEdge({ ...c, id: `e-${c.source}-${c.target}` }, g.edges) })), [onChange]);
  const styledEdges = edges.map((e, i) => (invalidEdges.has(i) ? { ...e, style: { stroke: "#c62e3d", strokeWidth: 2 }, animated: true } : e));
  return (
    <ReactFlow
      nodes={nodes}
      edges={styledEdges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      onSelectionChange={({ nodes: selected }) => onSelect(selected[0]?.id ?? null)}
      onPaneClick={() => onSelect(null)}
      onInit={(i) => {
        instance.current = i;
      }}
      deleteKeyCode={["Delete", "Backspace"]}
      fitView
      fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
      minZoom={0.2}
      aria-label="Flow canvas"
    >
      <CanvasBackdrop />
      <MiniMap pannable zoomable ariaLabel="Flow overview" />
    </ReactFlow>
  );
}

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

const nodeTypes: NodeTypes = { input: FlowNodeView, text: FlowNodeView, image: FlowNodeView, video: FlowNodeView, output: FlowNodeView };

interface Props {
  nodes: Node[];
  edges: Edge[];
  onChange: (next: { nodes?: Node[]; edges?: Edge[] }) => void;
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
  const onNodesChange = useCallback((changes: NodeChange[]) => onChange({ nodes: applyNodeChanges(changes, nodes) }), [nodes, onChange]);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => onChange({ edges: applyEdgeChanges(changes, edges) }), [edges, onChange]);
  const onConnect = useCallback(
    (c: Connection) => onChange({ edges: addEdge({ ...c, id: `e-${c.source}-${c.target}` }, edges) }),
    [edges, onChange],
  );
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
      <Background gap={20} color="#dfe3ec" />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable ariaLabel="Flow overview" />
    </ReactFlow>
  );
}

/**
 * Graph queries over a flow's nodes and edges: adjacency, ancestors, cycles and a topological
 * order. Edges whose ends are not nodes are ignored here (validation reports them); duplicate
 * edges count once.
 */

export interface GraphInput {
  nodes: ReadonlyArray<{ id: string }>;
  edges: ReadonlyArray<{ source: string; target: string }>;
}

export interface FlowGraph {
  /** Node ids in flow order (first occurrence of each id). */
  ids: string[];
  /** Node id → ids of its direct upstream nodes (edge sources), in edge order. */
  upstream: Map<string, string[]>;
  /** Node id → ids of its direct downstream nodes (edge targets), in edge order. */
  downstream: Map<string, string[]>;
}

export function buildGraph(flow: GraphInput): FlowGraph {
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  const ids: string[] = [];
  for (const { id } of flow.nodes) {
    if (upstream.has(id)) continue;
    ids.push(id);
    upstream.set(id, []);
    downstream.set(id, []);
  }
  for (const { source, target } of flow.edges) {
    const ups = upstream.get(target);
    const downs = downstream.get(source);
    if (!ups || !downs || ups.includes(source)) continue;
    ups.push(source);
    downs.push(target);
  }
  return { ids, upstream, downstream };
}

/** Every node from which `id` can be reached by following edges (not `id` itself unless on a cycle). */
export function ancestors(graph: FlowGraph, id: string): Set<string> {
  return reach(graph.upstream, id);
}

/** Every node reachable from `id` by following edges. */
export function descendants(graph: FlowGraph, id: string): Set<string> {
  return reach(graph.downstream, id);
}

function reach(next: Map<string, string[]>, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(next.get(id) ?? [])];
  while (stack.length > 0) {
    const cur = stack.pop() as string;
    if (seen.has(cur)) continue;
    seen.add(cur);
    stack.push(...(next.get(cur) ?? []));
  }
  return seen;
}

/**
 * One cycle per strongly connected component that has one, each as the node ids in edge order
 * starting from the component's first node in flow order (`["a", "b", "c"]` means a→b→c→a).
 */
export function findCycles(graph: FlowGraph): string[][] {
  const cycles: string[][] = [];
  for (const component of stronglyConnected(graph)) {
    const first = graph.ids.find((id) => component.has(id)) as string;
    const selfLoop = graph.downstream.get(first)?.includes(first) ?? false;
    if (component.size === 1 && !selfLoop) continue;
    cycles.push(selfLoop ? [first] : cycleThrough(graph, first, component));
  }
  return cycles;
}

/** Shortest path first → … → first inside a strongly connected component (BFS). */
function cycleThrough(graph: FlowGraph, first: string, component: Set<string>): string[] {
  const parent = new Map<string, string>();
  const queue = [first];
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    for (const next of graph.downstream.get(cur) ?? []) {
      if (!component.has(next)) continue;
      if (next === first) return pathTo(parent, cur, first);
      if (parent.has(next)) continue;
      parent.set(next, cur);
      queue.push(next);
    }
  }
  return [first];
}

function pathTo(parent: Map<string, string>, last: string, first: string): string[] {
  const path = [last];
  let cur = last;
  while (cur !== first) {
    cur = parent.get(cur) as string;
    path.unshift(cur);
  }
  return path;
}

/** Tarjan's algorithm, iterative over an explicit stack so deep graphs cannot overflow. */
function stronglyConnected(graph: FlowGraph): Array<Set<string>> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: Array<Set<string>> = [];
  let counter = 0;
  for (const root of graph.ids) {
    if (index.has(root)) continue;
    const work: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { id: string; i: number };
      const nexts = graph.downstream.get(frame.id) ?? [];
      if (frame.i < nexts.length) {
        const next = nexts[frame.i++] as string;
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push({ id: next, i: 0 });
        } else if (onStack.has(next)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(next) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component = new Set<string>();
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.add(member);
        } while (member !== frame.id);
        result.push(component);
      }
    }
  }
  return result;
}

/** Node ids so every node comes after its upstream nodes; ties keep flow order. Throws on a cycle. */
export function topologicalOrder(graph: FlowGraph): string[] {
  const remaining = new Map(graph.ids.map((id) => [id, graph.upstream.get(id)?.length ?? 0]));
  const order: string[] = [];
  const ready = graph.ids.filter((id) => remaining.get(id) === 0);
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const next of graph.downstream.get(id) ?? []) {
      const left = (remaining.get(next) as number) - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length !== graph.ids.length) throw new Error("flow graph has a cycle");
  return order;
}

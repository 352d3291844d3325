// Dead-code elimination: nodes none of whose outputs reach a graph output, and constants and
// value types nothing refers to any more. Kiln's ops have no side effects, so this is all of it.
import type { Graph, Node } from '../ir/graph.js';
import { pruned } from './rewrite.js';

export function eliminateDeadCode(g: Graph): Graph {
  const read = new Set<string>(g.outputs);
  const live: Node[] = [];
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (!n.outputs.some((o) => o && read.has(o))) continue;
    live.push(n);
    for (const i of n.inputs) if (i) read.add(i);
  }
  return pruned({ ...g, nodes: live.reverse() });
}

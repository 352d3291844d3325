// Subgraphs that constants decide: a node whose op's `inline` facet names the subgraph it amounts to
// (an If whose condition folded, after --freeze or constant folding) is replaced by that subgraph's
// nodes, renamed into the graph, so the branch not taken disappears and the rest compiles. Folding
// runs again after each round, since an inlined branch may decide the condition of the next If.
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';
import { foldConstants } from './fold-constants.js';
import { claim, pruned } from './rewrite.js';

export function inlineSubgraphs(g: Graph): Graph {
  let graph = g;
  // each round removes at least one node with subgraphs, so this ends
  for (;;) {
    const next = inlineOnce(graph);
    if (next === graph) return graph;
    graph = foldConstants(next);
  }
}

function inlineOnce(g: Graph): Graph {
  const names = { values: new Set<string>([...g.values.keys()]), nodes: new Set(g.nodes.map((n) => n.name)) };
  const constants = new Map<string, Tensor>(g.constants);
  const values = new Map<string, ValueInfo>(g.values);
  const nodes: Node[] = [];
  let changed = false;
  for (const n of g.nodes) {
    const chosen = chosenSubgraph(n, (v) => constants.get(v));
    if (!chosen) { nodes.push(n); continue; }
    changed = true;
    nodes.push(...spliceSubgraph(n, chosen, names, constants, values));
  }
  return changed ? pruned({ ...g, nodes, constants, values }) : g;
}

export interface ChosenSubgraph { readonly graph: Graph; readonly inputs: readonly number[] }

/** The subgraph node `n` amounts to when the constants it reads decide it (its op's inline facet). */
export function chosenSubgraph(n: Node, constant: (v: string) => Tensor | undefined): ChosenSubgraph | undefined {
  const def = opDef(n.op);
  return def?.inline?.({
    attrs: resolveAttrs(def.attrs, n.attrs), inputs: n.inputs.length,
    constant: (i) => (n.inputs[i] ? constant(n.inputs[i]) : undefined),
  });
}

/**
 * The nodes standing for `n`: the chosen subgraph's, under names not taken yet (recorded in
 * `names`), reading the node's inputs and writing its outputs; its constants go to `constants`
 * and the types of its values to `values` (those it has; shape inference fills the rest).
 */
export function spliceSubgraph(n: Node, chosen: ChosenSubgraph, names: { values: Set<string>; nodes: Set<string> },
  constants: Map<string, Tensor>, values: Map<string, ValueInfo>): Node[] {
  const sub = chosen.graph;
  const rename = new Map<string, string>();
  sub.inputs.forEach((v, k) => rename.set(v, n.inputs[chosen.inputs[k]]));
  for (const [v, t] of sub.constants) {
    const name = claim(names.values, `${n.name}/${v}`);
    rename.set(v, name);
    constants.set(name, t);
    values.set(name, { dtype: t.dtype, shape: t.shape });
  }
  // values the subgraph returns take the node's output names; a value returned twice, or one it
  // only passes through (an input or constant), is copied by an Identity
  const produced = new Set(sub.nodes.flatMap((m) => m.outputs));
  const copies: [string, string][] = [];
  sub.outputs.forEach((o, k) => {
    const out = n.outputs[k];
    if (!out) return;
    if (produced.has(o) && !rename.has(o)) rename.set(o, out);
    else copies.push([o, out]);
  });
  const read = (v: string) => (v ? rename.get(v) ?? v : v);
  const nodes: Node[] = [];
  for (const m of sub.nodes) {
    const outputs = m.outputs.map((o) => {
      if (!o) return o;
      if (!rename.has(o)) rename.set(o, claim(names.values, `${n.name}/${o}`));
      const name = rename.get(o)!;
      const info = sub.values.get(o);
      if (!values.has(name) && info) values.set(name, info);
      return name;
    });
    nodes.push({ ...m, name: claim(names.nodes, `${n.name}/${m.name}`), inputs: m.inputs.map(read), outputs });
  }
  for (const [from, to] of copies) {
    nodes.push({ name: claim(names.nodes, `${n.name}/${to}`), op: 'Identity', inputs: [read(from)], outputs: [to], attrs: {} });
  }
  return nodes;
}

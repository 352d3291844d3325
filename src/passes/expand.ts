// Ops whose compiled form is a graph of canonical ops (RNN, GRU, LSTM unrolled; Attention) are
// replaced by what their `expand` facet emits, for static shapes, before folding and fusion.
import type { Graph, Node } from '../ir/graph.js';
import { Emitter } from '../ir/emitter.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';
import { inferShapes } from './infer-shapes.js';
import { pruned } from './rewrite.js';

/** Each node whose op's expand facet emits its canonical form, replaced by it. */
export function expandOps(g: Graph): Graph {
  return expandNodes(g, (n, emitter) => {
    const def = opDef(n.op);
    if (!def?.expand) return undefined;
    const e = emitter(n.name);
    const inputs = n.inputs.map((v) => (v ? g.values.get(v) : undefined));
    return def.expand({ node: n, attrs: resolveAttrs(def.attrs, n.attrs), inputs, emit: e }) ? e : undefined;
  });
}

/**
 * The graph with each node that `expand` returns an emitter's work for replaced by those nodes;
 * types are inferred again for the new values.
 */
function expandNodes(g: Graph, expand: (n: Node, emit: (prefix: string) => Emitter) => Emitter | undefined): Graph {
  const valueNames = new Set<string>([...g.values.keys(), ...g.nodes.flatMap((n) => n.outputs)]);
  const nodeNames = new Set(g.nodes.map((n) => n.name));
  const nodes: Node[] = [];
  const constants = new Map(g.constants);
  let changed = false;
  for (const n of g.nodes) {
    const e = expand(n, (prefix) => new Emitter(valueNames, nodeNames, prefix));
    if (!e) { nodes.push(n); continue; }
    changed = true;
    nodes.push(...e.nodes);
    for (const [k, t] of e.constants) constants.set(k, t);
  }
  if (!changed) return g;
  const values = new Map(g.values);
  for (const [k, t] of constants) if (!values.has(k)) values.set(k, { dtype: t.dtype, shape: t.shape });
  // values that were there keep their types: inference would rename the symbolic dims elsewhere
  const typed = inferShapes({ ...g, nodes, constants, values });
  for (const [k, info] of typed.values) if (!values.has(k)) values.set(k, info);
  return pruned({ ...typed, values });
}

// Constant folding: every node whose outputs are known at compile time (all inputs constant, or
// outputs that follow from input types, like Shape of a static tensor) becomes graph constants,
// computed by the reference kernels; constants nobody reads any more are dropped.
import { withContext } from '../errors.js';
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';

export function foldConstants(g: Graph): Graph {
  const constants = new Map<string, Tensor>(g.constants);
  const nodes: Node[] = [];
  let symbols = 0;
  for (const node of g.nodes) {
    const def = opDef(node.op);
    if (!def) { nodes.push(node); continue; }
    const attrs = resolveAttrs(def.attrs, node.attrs);
    const constant = (i: number) => (node.inputs[i] ? constants.get(node.inputs[i]) : undefined);
    let outs: readonly Tensor[] | undefined;
    try {
      outs = def.value?.({
        node, attrs, constant,
        inputs: node.inputs.map((v) => (v ? g.values.get(v) : undefined)),
        symbol: (hint: string) => `${hint}_fold${++symbols}`,
      });
      if (!outs && def.run && node.inputs.every((v) => !v || constants.has(v))) {
        outs = def.run({ node, attrs, inputs: node.inputs.map((_, i) => constant(i)) });
      }
    } catch (e) {
      throw withContext(e, `constant folding, node '${node.name}' (${node.op})`);
    }
    if (!outs) { nodes.push(node); continue; }
    node.outputs.forEach((o, i) => { if (o) constants.set(o, outs[i]); });
  }

  const read = new Set<string>([...g.outputs, ...nodes.flatMap((n) => n.inputs)]);
  const kept = new Map([...constants].filter(([name]) => read.has(name)));
  const defined = new Set<string>([...g.inputs, ...kept.keys(), ...nodes.flatMap((n) => n.outputs)]);
  const values = new Map<string, ValueInfo>();
  for (const [name, info] of g.values) if (defined.has(name)) values.set(name, info);
  for (const [name, t] of kept) values.set(name, { dtype: t.dtype, shape: t.shape });
  return { ...g, nodes, constants: kept, values };
}

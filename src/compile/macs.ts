// Multiply-accumulates of a graph, from each op's `macs` facet: what `kiln inspect` reports, what
// GFLOP/s in `kiln bench` and `kiln profile` divide, and what a profiling build records per kernel.
import type { Graph } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';

/** Sum of the ops' `macs` facets, or null when a node that has one lacks static shapes. */
export function countMacs(g: Graph): number | null {
  let total = 0;
  for (const node of g.nodes) {
    const def = opDef(node.op);
    if (!def?.macs) continue;
    const inputs = node.inputs.map((v) => (v ? g.values.get(v) : undefined));
    const outputs = node.outputs.map((v) => g.values.get(v));
    const known = [...inputs, ...outputs].filter((i) => i !== undefined);
    if (outputs.some((o) => !o) || !known.every((i) => isStatic(i.shape))) return null;
    total += def.macs({ attrs: resolveAttrs(def.attrs, node.attrs), inputs, outputs: outputs.map((o) => o!) });
  }
  return total;
}

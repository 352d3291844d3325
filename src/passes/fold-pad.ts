// Padding into the window op that reads it: a constant Pad of the spatial axes only, with the value
// the consumer's own padding stands for (its op's absorbPad facet: 0 for Conv and AveragePool
// counting pads, -inf for MaxPool), becomes that consumer's padding, so the padded copy is never materialised.
import type { Graph, Node } from '../ir/graph.js';
import { isStatic } from '../ir/shape.js';
import { padAmounts } from '../ops/data-util.js';
import type { PadAbsorption } from '../ops/facets.js';
import { opDef } from '../ops/index.js';
import { resolveAttrs } from '../ops/op.js';
import { consumers, producers, pruned } from './rewrite.js';

export function foldPad(g: Graph): Graph {
  const made = producers(g.nodes), readers = consumers(g.nodes);
  const outputs = new Set(g.outputs);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  for (const consumer of g.nodes) {
    const padded = consumer.inputs[0];
    const pad = padded ? made.get(padded) : undefined;
    const absorb = padded ? absorption(consumer) : undefined;
    if (!pad || pad.op !== 'Pad' || !absorb || outputs.has(padded) || readers.get(padded)!.length !== 1) continue;
    const spatial = spatialPads(g, pad, absorb.fill);
    if (!spatial) continue;
    replaced.set(consumer, { ...consumer, inputs: [pad.inputs[0], ...consumer.inputs.slice(1)], attrs: { ...consumer.attrs, ...absorb.withPads(spatial) } });
    dropped.add(pad);
  }
  if (!dropped.size) return g;
  return pruned({ ...g, nodes: g.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n) });
}

function absorption(n: Node): PadAbsorption | undefined {
  const def = opDef(n.op);
  return def?.absorbPad?.({ attrs: resolveAttrs(def.attrs, n.attrs), outputs: n.outputs.length });
}

/** The Pad's spatial [begins..., ends...] when it is a constant, non-negative pad of only the axes after N and C by `fill`. */
function spatialPads(g: Graph, pad: Node, fill: number): number[] | undefined {
  const [x, padsName, valueName, axesName] = pad.inputs;
  const info = g.values.get(x);
  const padsT = g.constants.get(padsName);
  const axes = axesName ? g.constants.get(axesName) : undefined;
  const value = valueName ? g.constants.get(valueName) : undefined;
  if ((pad.attrs.mode ?? 'constant') !== 'constant' || !info || !isStatic(info.shape) || info.shape.length < 3
    || !padsT || (axesName && !axes) || (valueName && !value)) return undefined;
  if ((value && value.size ? value.numbers[0] : 0) !== fill) return undefined;
  const amounts = padAmounts(info.shape.length, padsT.toArray(), axes?.toArray());
  if (amounts.slice(0, 2).some(([b, e]) => b !== 0 || e !== 0) || amounts.some(([b, e]) => b < 0 || e < 0)) return undefined;
  const spatial = amounts.slice(2);
  return [...spatial.map(([b]) => b), ...spatial.map(([, e]) => e)];
}
